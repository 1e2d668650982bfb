import { describe, expect, it } from "vitest";
import { VirtualClock } from "./clock.ts";
import { VmshiftError } from "./errors.ts";
import { type ListWatchEvent, type ListWatchSource, type WatchEvent, listWatch } from "./watch.ts";

interface Obj {
  name: string;
  rv: string;
}

/** A scripted source: each list/watch call takes the next entry. */
function scripted(lists: { items: Obj[]; resourceVersion: string }[], watches: (() => AsyncIterable<WatchEvent<Obj>>)[]) {
  const calls: string[] = [];
  const source: ListWatchSource<Obj> = {
    async list() {
      calls.push("list");
      const next = lists.shift();
      if (!next) throw new Error("no more lists");
      return next;
    },
    watch(rv) {
      calls.push(`watch@${rv}`);
      const next = watches.shift();
      if (!next) return (async function* () { await new Promise(() => {}); })();
      return next();
    },
    key: (o) => o.name,
    resourceVersion: (o) => o.rv,
  };
  return { source, calls };
}

async function take(it: AsyncIterable<ListWatchEvent<Obj>>, n: number): Promise<ListWatchEvent<Obj>[]> {
  const out: ListWatchEvent<Obj>[] = [];
  for await (const e of it) {
    out.push(e);
    if (out.length === n) break;
  }
  return out;
}

describe("listWatch", () => {
  it("lists, then watches from the list's version, following bookmarks without yielding them", async () => {
    const { source, calls } = scripted(
      [{ items: [{ name: "a", rv: "5" }], resourceVersion: "10" }],
      [
        async function* () {
          yield { type: "BOOKMARK", object: { name: "", rv: "12" } } as const;
          yield { type: "MODIFIED", object: { name: "a", rv: "13" } } as const;
        },
        async function* () {
          yield { type: "ADDED", object: { name: "b", rv: "14" } } as const;
        },
      ],
    );
    const events = await take(listWatch(source, { clock: new VirtualClock() }), 3);
    expect(events.map((e) => e.type)).toEqual(["SYNC", "MODIFIED", "ADDED"]);
    // After the first stream ended, it reconnected from the last version seen (13), with no relist.
    expect(calls).toEqual(["list", "watch@10", "watch@13"]);
  });

  it("relists on an expired version and synthesises deletions for objects gone meanwhile", async () => {
    const { source, calls } = scripted(
      [
        { items: [{ name: "a", rv: "1" }, { name: "b", rv: "2" }], resourceVersion: "2" },
        { items: [{ name: "b", rv: "7" }], resourceVersion: "9" },
      ],
      [
        async function* () {
          throw new VmshiftError("CONFLICT", "410 Gone", { details: { expired: true } });
        },
      ],
    );
    const relists: boolean[] = [];
    const events = await take(listWatch(source, { clock: new VirtualClock(), onReconnect: (i) => relists.push(i.relist) }), 3);
    expect(events[0]).toMatchObject({ type: "SYNC", relist: false });
    expect(events[1]).toEqual({ type: "DELETED", object: { name: "a", rv: "1" } });
    expect(events[2]).toMatchObject({ type: "SYNC", relist: true });
    expect(relists).toEqual([true]);
    expect(calls).toEqual(["list", "watch@2", "list"]);
  });

  it("reconnects with backoff after a dropped stream, without relisting", async () => {
    const clock = new VirtualClock();
    const started = clock.now();
    const { source, calls } = scripted(
      [{ items: [], resourceVersion: "3" }],
      [
        async function* () {
          throw new VmshiftError("TRANSPORT", "ECONNRESET");
        },
        async function* () {
          yield { type: "ADDED", object: { name: "c", rv: "4" } } as const;
        },
      ],
    );
    const events = await take(listWatch(source, { clock, backoff: { initialDelayMs: 1000, random: () => 0 } }), 2);
    expect(events.map((e) => e.type)).toEqual(["SYNC", "ADDED"]);
    expect(calls).toEqual(["list", "watch@3", "watch@3"]);
    expect(clock.now() - started).toBe(1000);
  });

  it("gives up after too many consecutive failures when asked to", async () => {
    const failing = async function* (): AsyncGenerator<WatchEvent<Obj>> {
      throw new VmshiftError("TRANSPORT", "down");
    };
    const { source } = scripted([{ items: [], resourceVersion: "1" }], [failing, failing, failing]);
    await expect(take(listWatch(source, { clock: new VirtualClock(), maxConsecutiveFailures: 2 }), 5)).rejects.toMatchObject({ code: "TRANSPORT" });
  });
});
