/** The queue between the page decoder and the lister: order, skipping, waking, holding the answer back. */
import { describe, expect, it } from "vitest";
import { Arrival, HIGH_WATER } from "./arrival.ts";

/** A flow that records what the arrival asked of it. */
function recordingFlow() {
  const calls: string[] = [];
  return { calls, flow: { pause: () => calls.push("pause"), resume: () => calls.push("resume") } };
}

describe("Arrival", () => {
  it("hands objects out in order, and the taken ones are gone from the queue", () => {
    const a = new Arrival<number>();
    for (let i = 0; i < 5; i++) a.push(i);
    expect(a.take(2)).toEqual([0, 1]);
    expect(a.available).toBe(3);
    expect(a.take(10)).toEqual([2, 3, 4]);
    expect(a.available).toBe(0);
  });

  it("drops the first `skip` objects as they come", () => {
    const a = new Arrival<number>(3);
    for (let i = 0; i < 5; i++) a.push(i);
    expect(a.skipping).toBe(0);
    expect(a.take(10)).toEqual([3, 4]);
  });

  it("wakes a waiter only once more than `above` objects wait, or at the end", async () => {
    const a = new Arrival<number>();
    let woke = false;
    const waiting = a.until(2).then(() => (woke = true));
    a.push(1);
    a.push(2);
    await Promise.resolve();
    expect(woke).toBe(false);
    a.push(3);
    await waiting;
    expect(woke).toBe(true);
    const atEnd = a.until(100);
    a.end("tok");
    await atEnd;
    expect(a.state).toBe("done");
    expect(a.token).toBe("tok");
  });

  it("keeps the token read early, and the error of a failed answer", async () => {
    const a = new Arrival<number>();
    a.tokenRead("early");
    expect(a.token).toBe("early");
    const waiting = a.until(0);
    const error = new Error("cut short");
    a.fail(error);
    await waiting;
    await a.settled;
    expect(a.state).toBe("failed");
    expect(a.error).toBe(error);
    // A failed answer stays failed.
    a.end(undefined);
    expect(a.state).toBe("failed");
  });

  it("holds the answer back once HIGH_WATER objects wait, and reads on below half that", () => {
    const a = new Arrival<number>();
    const { calls, flow } = recordingFlow();
    a.flowing(flow);
    for (let i = 0; i < HIGH_WATER - 1; i++) a.push(i);
    expect(calls).toEqual([]);
    a.push(HIGH_WATER - 1);
    a.push(HIGH_WATER);
    expect(calls).toEqual(["pause"]);
    a.take(10);
    expect(calls).toEqual(["pause"]);
    a.take(HIGH_WATER / 2);
    expect(a.available).toBeLessThan(HIGH_WATER / 2);
    expect(calls).toEqual(["pause", "resume"]);
  });

  it("reads an abandoned answer on to its end and queues nothing more", () => {
    const a = new Arrival<number>();
    const { calls, flow } = recordingFlow();
    a.flowing(flow);
    for (let i = 0; i < HIGH_WATER; i++) a.push(i);
    a.abandon();
    expect(calls).toEqual(["pause", "resume"]);
    a.push(1);
    expect(a.available).toBe(0);
  });
});
