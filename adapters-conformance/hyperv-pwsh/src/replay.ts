/**
 * Replay mode: answers from a recorded transcript. A recorded exchange (`text` present) is matched
 * by its exact script text (so the fixtures also pin the scripts the adapter sends); when the
 * same script was recorded several times (polls), the answers are given in order and the last
 * one repeats. The one value that differs on every run, a start's request id (a fresh UUID per
 * start), is left out of the match.
 *
 * A transcribed exchange (no `text`: the captured-object transcripts under
 * packages/hyperv/test/captures/) names only the script (`script`, the `# vmshift:<name>` header)
 * and optionally a piece of text the script must contain (`match`, e.g. a parameter line) and a
 * script that must have been answered before (`after`, e.g. the cancel before the job reads
 * Terminated); it answers any script of that name that fits, in the same order-then-repeat way.
 * Exact recorded exchanges are tried first; among transcribed ones, an entry with a fulfilled
 * `after` wins over one without, then the longer `match`.
 */
import { readFileSync } from "node:fs";

/** The script text as matched: the request id's value replaced by a placeholder. */
export function matchText(script: string): string {
  return script.replace(/^\$vmshift_requestId = .*$/m, "$vmshift_requestId = <request id>");
}

/** One exchange of a transcript file. */
export interface Exchange {
  /** Exact script text (recorded transcripts). */
  readonly text?: string;
  /** Script name (transcribed transcripts without `text`). */
  readonly script?: string;
  /** Text the script must contain (transcribed transcripts); absent: any script of that name. */
  readonly match?: string;
  /** A script name that must have been answered first (transcribed transcripts). */
  readonly after?: string;
  readonly stdout: string;
}

interface Named {
  readonly script: string;
  readonly match: string;
  readonly after: string;
  readonly answers: string[];
  served: number;
}

const NAME_RE = /^# vmshift:([A-Za-z0-9]+)\s*$/m;

export class Replayer {
  readonly #answers = new Map<string, string[]>();
  readonly #served = new Map<string, number>();
  readonly #named: Named[] = [];

  constructor(exchanges: readonly Exchange[]) {
    for (const e of exchanges) {
      if (e.text === undefined) {
        if (!e.script) throw new Error("a transcript exchange needs either text or script");
        const match = e.match ?? "";
        const after = e.after ?? "";
        const entry = this.#named.find((n) => n.script === e.script && n.match === match && n.after === after);
        if (entry) entry.answers.push(e.stdout);
        else this.#named.push({ script: e.script, match, after, answers: [e.stdout], served: 0 });
        continue;
      }
      const text = matchText(e.text);
      const list = this.#answers.get(text) ?? [];
      list.push(e.stdout);
      this.#answers.set(text, list);
    }
  }

  static load(path: string): Replayer {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as { exchanges: Exchange[] };
    return new Replayer(parsed.exchanges);
  }

  /** The next recorded answer for this script, or undefined. */
  answer(raw: string): string | undefined {
    const script = matchText(raw);
    const list = this.#answers.get(script);
    if (list && list.length > 0) {
      const n = this.#served.get(script) ?? 0;
      this.#served.set(script, n + 1);
      return list[Math.min(n, list.length - 1)];
    }
    const name = NAME_RE.exec(raw)?.[1];
    const answered = (script: string) => this.#named.some((n) => n.script === script && n.served > 0);
    // The most specific entry that fits wins: a fulfilled `after` first, then the longest match text.
    const fitting = this.#named
      .filter((n) => n.script === name && raw.includes(n.match) && (n.after === "" || answered(n.after)))
      .sort((a, b) => Number(b.after !== "") - Number(a.after !== "") || b.match.length - a.match.length)[0];
    if (!fitting) return undefined;
    return fitting.answers[Math.min(fitting.served++, fitting.answers.length - 1)];
  }
}
