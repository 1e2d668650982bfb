import { describe, expect, it } from "vitest";
import { VirtualClock } from "./clock.ts";
import { VmshiftError, isVmshiftError } from "./errors.ts";
import { backoffDelay, pollUntil, withRetry } from "./wait.ts";

describe("backoffDelay", () => {
  it("doubles from the initial delay and caps", () => {
    const noJitter = { random: () => 0, initialDelayMs: 100, maxDelayMs: 1000 };
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, noJitter))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
  it("jitter takes up to the given fraction off", () => {
    expect(backoffDelay(0, { initialDelayMs: 1000, jitter: 0.2, random: () => 0.999999 })).toBe(800);
    expect(backoffDelay(0, { initialDelayMs: 1000, jitter: 0.5, random: () => 0.5 })).toBe(750);
  });
});

describe("pollUntil", () => {
  it("returns the first defined value, sleeping with backoff between tries", async () => {
    const clock = new VirtualClock();
    const start = clock.now();
    const seen: number[] = [];
    const value = await pollUntil(
      async (attempt) => {
        seen.push(clock.now() - start);
        return attempt === 3 ? "done" : undefined;
      },
      { clock, initialDelayMs: 100, random: () => 0 },
    );
    expect(value).toBe("done");
    expect(seen).toEqual([0, 100, 300, 700]);
  });

  it("never sleeps past the deadline and makes a last attempt at it", async () => {
    const clock = new VirtualClock();
    const start = clock.now();
    const seen: number[] = [];
    const error = await pollUntil(
      async () => {
        seen.push(clock.now() - start);
        return undefined;
      },
      { clock, initialDelayMs: 400, maxWaitMs: 1000, random: () => 0, operation: "task.wait", subject: "t-1" },
    ).catch((e: unknown) => e);
    expect(isVmshiftError(error, "TIMEOUT")).toBe(true);
    expect((error as VmshiftError).message).toContain("task.wait t-1");
    expect(seen).toEqual([0, 400, 1000]);
  });

  it("stops at once with ABORTED when the signal fires", async () => {
    const clock = new VirtualClock({ autoAdvance: false });
    const controller = new AbortController();
    const promise = pollUntil(async () => undefined, { clock, signal: controller.signal, initialDelayMs: 10_000 });
    await new Promise((r) => setImmediate(r));
    controller.abort();
    await expect(promise).rejects.toMatchObject({ code: "ABORTED" });
  });

  it("propagates errors from the check unchanged", async () => {
    const boom = new VmshiftError("PERMISSION_DENIED", "no");
    await expect(pollUntil(async () => { throw boom; })).rejects.toBe(boom);
  });
});

describe("withRetry", () => {
  it("retries retryable errors, then succeeds", async () => {
    const clock = new VirtualClock();
    let calls = 0;
    const value = await withRetry(async () => {
      calls++;
      if (calls < 3) throw new VmshiftError("TRANSPORT", "reset");
      return calls;
    }, { clock });
    expect(value).toBe(3);
  });
  it("does not retry permanent errors", async () => {
    let calls = 0;
    await expect(withRetry(async () => { calls++; throw new VmshiftError("PERMISSION_DENIED", "no"); }, { clock: new VirtualClock() })).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    expect(calls).toBe(1);
  });
  it("gives up after the retry budget", async () => {
    let calls = 0;
    await expect(withRetry(async () => { calls++; throw new VmshiftError("TRANSPORT", "reset"); }, { clock: new VirtualClock(), retries: 2 })).rejects.toMatchObject({ code: "TRANSPORT" });
    expect(calls).toBe(3);
  });
});

describe("VirtualClock", () => {
  it("fires timers in time order, ties in the order set, only when advanced", async () => {
    const clock = new VirtualClock({ autoAdvance: false });
    const order: string[] = [];
    void clock.sleep(300).then(() => order.push("c"));
    void clock.sleep(100).then(() => order.push("a"));
    void clock.sleep(100).then(() => order.push("b"));
    await clock.advance(50);
    expect(order).toEqual([]);
    await clock.advance(250);
    expect(order).toEqual(["a", "b", "c"]);
    expect(clock.pendingTimers).toBe(0);
  });
});
