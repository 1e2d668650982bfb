/**
 * Replay mode: answers from a recorded transcript. A script is matched by its exact text (so the
 * fixtures also pin the scripts the adapter sends); when the same script was recorded several
 * times (polls), the answers are given in order and the last one repeats. The one value that
 * differs on every run, a start's request id (a fresh UUID per start), is left out of the match.
 */
import { readFileSync } from "node:fs";

/** The script text as matched: the request id's value replaced by a placeholder. */
export function matchText(script: string): string {
  return script.replace(/^\$vmshift_requestId = .*$/m, "$vmshift_requestId = <request id>");
}

interface Exchange {
  readonly text: string;
  readonly stdout: string;
}

export class Replayer {
  readonly #answers = new Map<string, string[]>();
  readonly #served = new Map<string, number>();

  constructor(exchanges: readonly Exchange[]) {
    for (const e of exchanges) {
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

  /** The next recorded answer for this exact script, or undefined. */
  answer(raw: string): string | undefined {
    const script = matchText(raw);
    const list = this.#answers.get(script);
    if (!list || list.length === 0) return undefined;
    const n = this.#served.get(script) ?? 0;
    this.#served.set(script, n + 1);
    return list[Math.min(n, list.length - 1)];
  }
}
