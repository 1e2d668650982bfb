/**
 * The stand-in's platform state lives in one JSON file so that several stand-in processes (one
 * per node-powershell shell, e.g. before and after a simulated restart) and the conformance
 * target's controls share it. Access is serialised with a lock directory.
 */
import { mkdirSync, readFileSync, renameSync, rmdirSync, statSync, writeFileSync } from "node:fs";

const SLEEP = new Int32Array(new SharedArrayBuffer(4));

function lock(path: string): () => void {
  const dir = `${path}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(dir);
      return () => rmdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // A holder that died leaves the directory behind: break locks older than 10 s.
      try {
        if (Date.now() - statSync(dir).mtimeMs > 10_000) rmdirSync(dir);
      } catch {
        // gone meanwhile
      }
      if (attempt > 5000) throw new Error(`state lock ${dir} held too long`);
      Atomics.wait(SLEEP, 0, 0, 2);
    }
  }
}

/** Reads the state, lets `fn` change it, writes it back atomically; returns `fn`'s result. */
export function withState<S, T>(path: string, fn: (state: S) => T): T {
  const unlock = lock(path);
  try {
    const state = JSON.parse(readFileSync(path, "utf8")) as S;
    const result = fn(state);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state));
    renameSync(tmp, path);
    return result;
  } finally {
    unlock();
  }
}

/** Writes a fresh state file. */
export function writeState(path: string, state: unknown): void {
  writeFileSync(path, JSON.stringify(state));
}
