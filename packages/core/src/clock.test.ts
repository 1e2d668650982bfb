import { describe, expect, it } from "vitest";
import { VmshiftError } from "./errors.ts";
import { pause, systemClock } from "./clock.ts";

describe("system clock waits", () => {
  it("sleep rejects with ABORTED when its signal fires; pause resolves early instead", async () => {
    const controller = new AbortController();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    const pausing = pause(60_000, controller.signal);
    const started = Date.now();
    controller.abort();
    await expect(sleeping).rejects.toSatisfy((e: unknown) => e instanceof VmshiftError && e.code === "ABORTED");
    await expect(pausing).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("pause on an already-aborted signal returns at once; otherwise it waits its time", async () => {
    const aborted = AbortSignal.abort();
    const t0 = Date.now();
    await pause(60_000, aborted);
    expect(Date.now() - t0).toBeLessThan(5_000);
    const t1 = Date.now();
    await pause(50, new AbortController().signal);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(45);
  });
});
