/**
 * Guest health checks for real migrations: the guest runs where it should, keeps printing ticks,
 * its fill area still verifies, nothing crashed, and (for live moves) it did not reboot.
 */
import { readFileSync } from "node:fs";
import { type LabHost, fileSize, readFrom, serialPath, virsh, waitForTicks } from "./lab.ts";

/** Size of the serial log now: pass it to {@link assertHealthy} to look only at what comes after. */
export function logOffset(name: string): number {
  return fileSize(serialPath(name));
}

/** What the log shows after `offset`. */
export function logSince(name: string, offset: number): string {
  return readFrom(serialPath(name), offset);
}

/**
 * Checks that `name` runs on `host` and is healthy: at least `ticks` new ticks (default 2) within
 * `timeoutMs`, `verify=ok`, no oops/panic since `offset`; and, unless `rebootExpected`, no new
 * boot (an `init:` line) since `offset` — a live move must continue the same guest.
 * @throws Error describing the first problem.
 */
export async function assertHealthy(name: string, host: LabHost, offset: number, options: { ticks?: number; timeoutMs?: number; rebootExpected?: boolean } = {}): Promise<{ lastTick: number }> {
  const state = await virsh(host, ["domstate", "--domain", name]);
  if (state.code !== 0 || state.stdout.trim() !== "running") throw new Error(`${name} is not running on ${host}: ${(state.stdout + state.stderr).trim()}`);
  const before = [...readFileSync(serialPath(name)).subarray(0, offset).toString("utf8").matchAll(/^tick (\d+) /gm)].map((m) => Number(m[1]));
  const since = logSince(name, offset);
  if (/^init: workload/m.test(since) && !options.rebootExpected) throw new Error(`${name} rebooted during a live migration: ${since.slice(0, 300)}`);
  const timeoutMs = options.timeoutMs ?? 15_000;
  let from = offset;
  if (options.rebootExpected) {
    // A cold move boots the guest again: its counter restarts at 1 after the new `init:` line.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = readFileSync(serialPath(name)).subarray(offset);
      const at = text.indexOf("init: workload");
      if (at >= 0) {
        from = offset + at;
        break;
      }
      if (Date.now() > deadline) throw new Error(`${name} was expected to boot on ${host} but no boot was seen within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  // A live move continues the counter from where the source left it.
  const baseline = options.rebootExpected ? 0 : (before.at(-1) ?? 0);
  const health = await waitForTicks(name, baseline, options.ticks ?? 2, timeoutMs, from);
  const after = logSince(name, offset);
  if (/BUG:|Oops|Kernel panic|general protection|verify=FAIL/.test(after)) throw new Error(`${name} is unhealthy: ${after.slice(-400)}`);
  return { lastTick: health.lastTick };
}
