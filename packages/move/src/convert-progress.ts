/**
 * virt-v2v's `--machine-readable` output on stdout, read as it arrives. virt-v2v(1), "Machine
 * readable output" (Debian's virt-v2v 2.2.0; virt-v2v-in-place(1) refers to it): lines matching
 * `^[0-9]+/[0-9]+$` are progress bars, other lines status messages, errors go to stderr with a
 * non-zero exit. In 2.x every message is also written as one JSON object a line,
 * `{ "message": …, "timestamp": RFC 3339, "type": "message" | "info" | "warning" | "error" }`
 * (libguestfs-common's mltools/tools_utils.ml, `log_as_json`), followed by the human form
 * (`[   1.1] Opening the source`, `virt-v2v-in-place: warning: …`, `virt-v2v-in-place: …` for info),
 * which is then skipped. A real run's output is the fixture test/fixtures/virt-v2v/ (SOURCE.md says
 * how it was made).
 */

/** One thing virt-v2v said on stdout. */
export type ConversionEvent =
  | { readonly kind: "progress"; readonly done: number; readonly total: number }
  | { readonly kind: "status"; readonly level: "message" | "info" | "warning" | "error"; readonly text: string; readonly elapsedSeconds?: number };

const PROGRESS = /^([0-9]+)\/([0-9]+)$/;
const STAMP = /^\[\s*([0-9]+(?:\.[0-9]+)?)\]\s*(.*)$/;
const LEVELS = new Set(["message", "info", "warning", "error"]);

/** One stdout line as an event; `undefined` for a blank line. */
export function parseConversionLine(line: string): ConversionEvent | undefined {
  const text = line.replace(/\r$/, "").trim();
  if (text === "") return undefined;
  const p = PROGRESS.exec(text);
  if (p) return { kind: "progress", done: Number(p[1]), total: Number(p[2]) };
  if (text.startsWith("{")) {
    const json = jsonMessage(text);
    if (json) return json;
  }
  const s = STAMP.exec(text);
  if (s) return { kind: "status", level: "message", text: s[2]!, elapsedSeconds: Number(s[1]) };
  const w = /^[\w.-]+: warning: (.*)$/.exec(text);
  if (w) return { kind: "status", level: "warning", text: w[1]! };
  return { kind: "status", level: "message", text };
}

function jsonMessage(text: string): ConversionEvent | undefined {
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    const type = o["type"];
    if (typeof o["message"] === "string" && typeof type === "string" && LEVELS.has(type)) return { kind: "status", level: type as "message", text: o["message"] };
  } catch {
    // not JSON after all: a status line that starts with a brace
  }
  return undefined;
}

/**
 * Splits stdout chunks (which end anywhere) into lines and events: `push` each chunk as it
 * arrives, `end` once the program exited (the last line may have no newline). The human form of a
 * message already read as JSON is dropped (its elapsed time is kept on the JSON one's event).
 */
export function conversionLineReader(): { push(chunk: string): ConversionEvent[]; end(): ConversionEvent[] } {
  let rest = "";
  /** A message read as JSON, held until the next line shows whether its human form follows. */
  let pending: Extract<ConversionEvent, { kind: "status" }> | undefined;
  const events = (lines: string[]): ConversionEvent[] => {
    const out: ConversionEvent[] = [];
    for (const line of lines) {
      const e = parseConversionLine(line);
      if (!e) continue;
      if (pending && e.kind === "status" && line.trim().endsWith(pending.text) && !line.trim().startsWith("{")) {
        out.push(e.elapsedSeconds === undefined ? pending : { ...pending, elapsedSeconds: e.elapsedSeconds });
        pending = undefined;
        continue;
      }
      if (pending) out.push(pending);
      pending = undefined;
      if (e.kind === "status" && line.trim().startsWith("{")) pending = e;
      else out.push(e);
    }
    return out;
  };
  return {
    push(chunk) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop()!;
      return events(lines);
    },
    end() {
      const last = rest;
      rest = "";
      const out = events([last]);
      if (pending) out.push(pending);
      pending = undefined;
      return out;
    },
  };
}
