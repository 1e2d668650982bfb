/** The move tests' hold on the libvirt lab, for one `describe` block. */
import { afterAll, beforeAll } from "vitest";
import { acquireLab, startDaemons } from "./lab.ts";
import { cleanMoveLab } from "./move-lab.ts";

/**
 * Before the block's tests: locks the lab for `owner`, starts its daemons and runs `prepare`
 * (within `setupTimeoutMs`, which includes waiting for another holder). After them: removes what
 * the moves left (domain, pools, files) and releases the lock, even when the clean-up fails.
 */
export function holdMoveLab(owner: string, options: { readonly prepare?: () => Promise<void>; readonly setupTimeoutMs?: number } = {}): void {
  let release: (() => void) | undefined;
  beforeAll(async () => {
    release = await acquireLab(owner);
    await startDaemons();
    await options.prepare?.();
  }, options.setupTimeoutMs ?? 5 * 60_000);
  afterAll(async () => {
    try {
      await cleanMoveLab();
    } finally {
      release?.();
    }
  }, 120_000);
}
