/**
 * The one error type of vmshift. Every failure an application sees is a {@link VmshiftError}
 * with a stable {@link ErrorCode}; the platform's own fault stays in `cause`.
 */

/** Stable error codes. Append only: a code, once published, keeps its meaning. */
export const ERROR_CODES = [
  "NOT_SUPPORTED",
  "CAPABILITY_UNAVAILABLE",
  "INVALID_ARGUMENT",
  "NOT_FOUND",
  "INVALID_STATE",
  "CONFLICT",
  "INSUFFICIENT_RESOURCES",
  "INCOMPATIBLE",
  "UNAUTHENTICATED",
  "PERMISSION_DENIED",
  "RATE_LIMITED",
  "TRANSPORT",
  "TIMEOUT",
  "ABORTED",
  "MIGRATION_FAILED",
  "MIGRATION_PARTIAL",
  "INTERNAL",
] as const;

/** A stable, machine-readable error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** What each code means, for docs and CLI help. Kept beside the list so both change together. */
export const ERROR_CODE_DESCRIPTIONS: Readonly<Record<ErrorCode, string>> = {
  NOT_SUPPORTED: "The adapter does not implement this operation or option at all.",
  CAPABILITY_UNAVAILABLE: "The adapter implements it, but this connection, server version or object cannot do it now.",
  INVALID_ARGUMENT: "The caller passed a value that cannot be right; nothing was changed.",
  NOT_FOUND: "The VM, host, cluster or migration does not exist.",
  INVALID_STATE: "The object exists but is in a state that forbids the operation (e.g. powered off for a live move).",
  CONFLICT: "Another operation holds the object (e.g. a migration already in flight), or a concurrent write won.",
  INSUFFICIENT_RESOURCES: "The target lacks CPU, memory, slots or storage.",
  INCOMPATIBLE: "Source and target differ in a way that forbids the move (CPU features, devices, versions).",
  UNAUTHENTICATED: "Credentials are missing, wrong or expired.",
  PERMISSION_DENIED: "Authenticated, but not allowed to do this.",
  RATE_LIMITED: "The platform asked the client to slow down.",
  TRANSPORT: "The request did not complete: connection, TLS, protocol or server error.",
  TIMEOUT: "A wait or request ran out of time; the operation itself may still be running.",
  ABORTED: "The caller's AbortSignal fired.",
  MIGRATION_FAILED: "The migration ended in failure; the result says where the VM is.",
  MIGRATION_PARTIAL: "A cold migration left the VM stopped or in an unknown place: manual action is needed.",
  INTERNAL: "A bug in vmshift or an answer from the platform that breaks its own contract.",
};

const BRAND: unique symbol = Symbol.for("vmshift.error") as never;

/** Options of the {@link VmshiftError} constructor. */
export interface VmshiftErrorOptions {
  /** Adapter name, e.g. `vsphere`. */
  readonly adapter?: string;
  /** Dotted operation name, e.g. `migration.start`. */
  readonly operation?: string;
  /** The object the operation was about (VM id, host id, migration id). */
  readonly subject?: string;
  /** Whether repeating the same call may succeed. Defaults from the code. */
  readonly retryable?: boolean;
  /** The native fault, kept as it was thrown. */
  readonly cause?: unknown;
  /** Extra structured detail, safe to log (never credentials). */
  readonly details?: Readonly<Record<string, unknown>>;
}

const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set(["RATE_LIMITED", "TRANSPORT", "TIMEOUT", "CONFLICT"]);

/**
 * The error every vmshift operation throws. Its message is one line:
 * `[vsphere] migration.start vm-123: INVALID_STATE: VM is powered off`.
 *
 * `instanceof VmshiftError` also holds for errors made by another installed copy of
 * `@vmshift/core` (checked through a registered symbol brand).
 */
export class VmshiftError extends Error {
  declare readonly [BRAND]: true;
  /** Stable code; branch on this, never on the message. */
  readonly code: ErrorCode;
  /** The adapter that raised it, or `core`. */
  readonly adapter: string;
  /** The operation that failed, e.g. `migration.start`. */
  readonly operation: string | undefined;
  /** The VM, host or migration concerned. */
  readonly subject: string | undefined;
  /** Whether retrying the same call may succeed. */
  readonly retryable: boolean;
  /** The message without the prefix. */
  readonly reason: string;
  /** Structured detail, safe to log. */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, reason: string, options: VmshiftErrorOptions = {}) {
    const adapter = options.adapter ?? "core";
    const where = [options.operation, options.subject].filter(Boolean).join(" ");
    const cleanReason = redact(reason.replace(/\s*\n\s*/g, " ").trim());
    super(`[${adapter}]${where ? ` ${where}` : ""}: ${code}: ${cleanReason}`, options.cause === undefined ? undefined : { cause: options.cause });
    Object.defineProperty(this, BRAND, { value: true });
    this.name = "VmshiftError";
    this.code = code;
    this.adapter = adapter;
    this.operation = options.operation;
    this.subject = options.subject;
    this.retryable = options.retryable ?? RETRYABLE_BY_DEFAULT.has(code);
    this.reason = cleanReason;
    this.details = options.details;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** A copy with adapter/operation/subject filled where they were missing. */
  withContext(context: Pick<VmshiftErrorOptions, "adapter" | "operation" | "subject">): VmshiftError {
    if ((this.adapter !== "core" || !context.adapter) && this.operation && (this.subject || !context.subject)) return this;
    const options: VmshiftErrorOptions = {
      adapter: this.adapter === "core" ? (context.adapter ?? this.adapter) : this.adapter,
      retryable: this.retryable,
      cause: this.cause,
      ...pick("operation", this.operation ?? context.operation),
      ...pick("subject", this.subject ?? context.subject),
      ...pick("details", this.details),
    };
    return new VmshiftError(this.code, this.reason, options);
  }

  /** A JSON form for logs and NDJSON output (no stack, no cause object). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, adapter: this.adapter, operation: this.operation, subject: this.subject, retryable: this.retryable, message: this.message };
  }
}

function pick<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** True when `value` is a {@link VmshiftError}, from this or any other installed copy. */
export function isVmshiftError(value: unknown, code?: ErrorCode): value is VmshiftError {
  return value instanceof VmshiftError && (code === undefined || value.code === code);
}

const SECRET_PATTERNS: readonly RegExp[] = [
  /\b(authorization|proxy-authorization)\s*[:=]\s*("[^"]*"|'[^']*'|(?:bearer|basic|negotiate)\s+[^\s,;"']+|[^\s,;"']+)/gi,
  /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  // key, then its separator (a JSON key's closing quote, possibly backslash-escaped when the JSON is
  // itself inside a string), then the value: a double-encoded JSON string (\"…\"), a JSON/YAML
  // double-quoted string with backslash escapes, a YAML single-quoted string ('' escapes a quote),
  // or a bare word. An unterminated quoted value runs to the end of the line (a broken config file).
  /\b(password|passwd|pwd|secret|token|api[-_]?key|x-ntnx-api-key|client[-_]?key|session[-_]?id|vmware_soap_session|cookie|set-cookie)\b(\s*\\?["']?\s*[:=]\s*)(\\"(?:\\\\\\\\|\\\\\\"|\\\\[^\\"]|[^\\\r\n])*(?:\\"|$)|"(?:[^"\\\r\n]|\\.)*(?:"|$)|'(?:[^'\r\n]|'')*(?:'|$)|[^\s,;&}]+)/gim,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /(\/\/[^/\s:@]+:)[^@\s/]+@/g,
];

/**
 * The forms an exact secret takes on its way through configs, headers and logs: as written, JSON-
 * escaped, URL-encoded (both `encodeURIComponent` and form encoding), and base64 (standard and
 * URL-safe, with and without padding). Longest first, so a form that contains another is masked whole.
 */
export function encodedForms(secret: string): string[] {
  const base64 = Buffer.from(secret, "utf8").toString("base64");
  const forms = new Set([
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, "+"),
    base64,
    base64.replace(/=+$/, ""),
    Buffer.from(secret, "utf8").toString("base64url"),
  ]);
  return [...forms].filter((f) => f.length >= 4).sort((a, b) => b.length - a.length);
}

/**
 * Removes what looks like a credential from a text: `Authorization` values, bearer and basic
 * tokens, `password=`/`token:`-style pairs (bare, quoted with escapes, JSON and double-encoded
 * JSON), session cookies, PEM private keys and URL userinfo. Linear-time patterns only (no nested
 * quantifiers). `extraSecrets` are exact values to mask too, in every form {@link encodedForms} lists.
 */
export function redact(text: string, extraSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of extraSecrets) if (secret.length >= 4) for (const form of encodedForms(secret)) out = out.split(form).join("***");
  return out
    .replace(SECRET_PATTERNS[0]!, (_m, key: string) => `${key}: ***`)
    .replace(SECRET_PATTERNS[1]!, (_m, scheme: string) => `${scheme} ***`)
    .replace(SECRET_PATTERNS[2]!, (_m, key: string, sep: string) => `${key}${sep}***`)
    .replace(SECRET_PATTERNS[3]!, "***PRIVATE KEY***")
    .replace(SECRET_PATTERNS[4]!, (_m, user: string) => `${user}***@`);
}

/** Shorthand constructor used across adapters. */
export function vmshiftError(code: ErrorCode, reason: string, options?: VmshiftErrorOptions): VmshiftError {
  return new VmshiftError(code, reason, options);
}
