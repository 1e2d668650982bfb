/**
 * What a credential looks like in a file. Placeholders the redactors write (`***`, `REDACTED`,
 * `<redacted>`, `example`, `dummy`, `fake`, `test`, and the vSphere recorder's sequential session ids
 * `00000000-0000-4000-8000-<12 digits>`) are allowed; anything else in a secret slot is a finding.
 */

/** A named pattern; group 1, when present, is the secret value to judge. */
export interface CredentialPattern {
  readonly name: string;
  readonly regex: RegExp;
}

export const CREDENTIAL_PATTERNS: readonly CredentialPattern[] = [
  { name: "private key", regex: /-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----\s*\n\s*([A-Za-z0-9+/=]{20,})/g },
  { name: "authorization header", regex: /\bauthorization["']?\s*[:=]\s*["']?(?:basic|bearer)\s+([A-Za-z0-9._~+/=-]{8,})/gi },
  { name: "password field", regex: /["']?\b(?:password|passwd|pwd)["']?\s*[:=]\s*["']([^"'\s]{4,})["']/gi },
  { name: "api key header", regex: /\bx-ntnx-api-key["']?\s*[:=]\s*["']?([A-Za-z0-9._~+/=-]{8,})/gi },
  { name: "session cookie", regex: /\bvmware_soap_session=["']?([A-Za-z0-9-]{8,})/gi },
  { name: "JSON web token", regex: /\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})/g },
  { name: "kubeconfig token", regex: /^\s*token:\s*["']?([A-Za-z0-9._~+/=-]{16,})/gim },
  { name: "AWS access key", regex: /\b(AKIA[0-9A-Z]{16})\b/g },
];

const PLACEHOLDER = /^(\*+|00000000-0000-4000-8000-\d{12}|REDACTED|<redacted>|\[redacted\]|x+|example\S*|dummy\S*|fake\S*|test\S*|changeme|placeholder|secret|password|\$\{?\w+\}?|%\w+%|<[^>]+>)$/i;

/** A suspected credential in a text. */
export interface Finding {
  readonly pattern: string;
  readonly line: number;
  readonly excerpt: string;
}

/** Finds credential-looking values in a text (values are masked in the excerpt). */
export function scanText(text: string): Finding[] {
  const findings: Finding[] = [];
  for (const { name, regex } of CREDENTIAL_PATTERNS) {
    for (const match of text.matchAll(regex)) {
      const value = match[1] ?? match[0];
      if (PLACEHOLDER.test(value) || /\*{3}/.test(value)) continue;
      const line = text.slice(0, match.index).split("\n").length;
      findings.push({ pattern: name, line, excerpt: match[0].replace(value, `${value.slice(0, 3)}…(${value.length} chars)`) });
    }
  }
  return findings;
}
