/**
 * Replay mode: answers from a recorded transcript. A script is matched by its exact text (so the
 * fixtures also pin the scripts the adapter sends); when the same script was recorded several
 * times (polls), the answers are given in order and the last one repeats.
 */
import { readFileSync } from "node:fs";

interface Exchange {
  readonly text: string;
  readonly stdout: string;
}

export class Replayer {
  readonly #answers = new Map<string, string[]>();
  readonly #served = new Map<string, number>();

  constructor(exchanges: readonly Exchange[]) {
    for (const e of exchanges) {
      const list = this.#answers.get(e.text) ?? [];
      list.push(e.stdout);
      this.#answers.set(e.text, list);
    }
  }

  static load(path: string): Replayer {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as { exchanges: Exchange[] };
    return new Replayer(parsed.exchanges);
  }

  /** The next recorded answer for this exact script, or undefined. */
  answer(script: string): string | undefined {
    const list = this.#answers.get(script);
    if (!list || list.length === 0) return undefined;
    const n = this.#served.get(script) ?? 0;
    this.#served.set(script, n + 1);
    return list[Math.min(n, list.length - 1)];
  }
}
