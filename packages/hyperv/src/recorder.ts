/**
 * Recorder mode: a transport wrapper that keeps every exchange (script name, parameters, script
 * text, stdout) so a run against a real host can be saved as a transcript fixture. Redaction
 * runs before anything is kept: credentials (exact values and `redact`'s patterns) and, when
 * asked, host and VM names are replaced by stable placeholders.
 */
import { redact } from "@vmshift/core";
import { readPsString } from "./encode.ts";
import { PARAM_PREFIX } from "./script.ts";
import type { PowerShellTransport, RemoteDescription } from "./transport.ts";

/** One script and its answer. */
export interface RecordedExchange {
  /** From the `# vmshift:<name>` header. */
  readonly script: string;
  /** Decoded parameters of the prelude. */
  readonly params: Readonly<Record<string, string | string[]>>;
  /** Full script text (after redaction). */
  readonly text: string;
  /** What the host printed (after redaction). */
  readonly stdout: string;
}

/** Options of {@link RecordingTransport}. */
export interface RecordingTransportOptions {
  /** Exact secrets to mask (passwords, tokens). */
  readonly secrets?: readonly string[];
  /** Replacements applied to every recorded text, e.g. `{ "HV-PROD-01": "host-a" }`. */
  readonly replace?: Readonly<Record<string, string>>;
}

/** Wraps a transport and records each exchange, redacted. */
export class RecordingTransport implements PowerShellTransport {
  readonly exchanges: RecordedExchange[] = [];
  readonly #inner: PowerShellTransport;
  readonly #options: RecordingTransportOptions;

  constructor(inner: PowerShellTransport, options: RecordingTransportOptions = {}) {
    this.#inner = inner;
    this.#options = options;
  }

  get remote(): RemoteDescription | undefined {
    return this.#inner.remote;
  }

  async execute(script: string, options?: { readonly signal?: AbortSignal; readonly timeoutMs?: number }): Promise<string> {
    const stdout = await this.#inner.execute(script, options);
    const clean = (text: string) => redactTranscript(text, this.#options);
    const parsed = parseScript(script);
    this.exchanges.push({
      script: parsed.name,
      params: Object.fromEntries(Object.entries(parsed.params).map(([k, v]) => [k, Array.isArray(v) ? v.map(clean) : clean(v as string)])),
      text: clean(script),
      stdout: clean(stdout),
    });
    return stdout;
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** Applies `redact`, the exact secrets and the replacements to a text. */
export function redactTranscript(text: string, options: RecordingTransportOptions): string {
  let out = redact(text, options.secrets ?? []);
  for (const [from, to] of Object.entries(options.replace ?? {})) if (from.length > 0) out = out.split(from).join(to);
  return out;
}

/** Reads the name and prelude parameters of a rendered script (the inverse of `renderScript`'s prelude). */
export function parseScript(script: string): { name: string; params: Record<string, string | string[]> } {
  const header = /^# vmshift:([A-Za-z]+)/.exec(script);
  const params: Record<string, string | string[]> = {};
  let pos = script.indexOf("\n") + 1;
  for (;;) {
    if (!script.startsWith(PARAM_PREFIX, pos)) {
      const next = script.indexOf("\n", pos);
      if (next < 0 || script.startsWith("$vmshift_result", pos) || script.startsWith("try", pos)) break;
      if (!script.startsWith("$ErrorActionPreference", pos) && !script.startsWith("$ProgressPreference", pos)) break;
      pos = next + 1;
      continue;
    }
    const eq = script.indexOf(" = ", pos);
    const name = script.slice(pos + PARAM_PREFIX.length, eq);
    if (name === "result") break;
    let at = eq + 3;
    if (script.startsWith("@(", at)) {
      const list: string[] = [];
      at += 2;
      while (script[at] !== ")") {
        const item = readPsString(script, at);
        list.push(item.value);
        at = item.end;
        if (script.startsWith(", ", at)) at += 2;
      }
      params[name] = list;
      at += 1;
    } else if (script.startsWith("$", at) || /[0-9-]/.test(script[at] ?? "")) {
      const end = script.indexOf("\n", at);
      params[name] = script.slice(at, end);
      at = end;
    } else {
      const item = readPsString(script, at);
      params[name] = item.value;
      at = item.end;
    }
    pos = at + 1;
  }
  return { name: header?.[1] ?? "unknown", params };
}
