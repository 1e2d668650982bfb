/**
 * A storage live migration's start aborted (Ctrl-C) after it created a destination claim, before the
 * VM's record named it: the start deletes what it created, on its own bounded signal — nothing
 * else knows those claims (found by a review; the start used to rethrow at once and leak them).
 */
import { describe, expect, it } from "vitest";
import { VolumeMoves } from "./storage.ts";

describe("VolumeMoves.start aborted between its writes", () => {
  it("deletes the destination claims it had created and names none left", async () => {
    const controller = new AbortController();
    const sources = new Set(["root-pvc", "data-pvc"]);
    const claims = new Map<string, { metadata: { name: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string> } }>();
    const deleted: string[] = [];
    const createdNames: string[] = [];
    const api = {
      listMigrations: async () => ({ items: [] }),
      findClaim: async (at: { name: string }) =>
        claims.get(at.name) ?? (sources.has(at.name) ? { metadata: { name: at.name }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } } : undefined),
      createClaim: async (_namespace: string, body: { metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> } }) => {
        claims.set(body.metadata.name, { metadata: { ...body.metadata, uid: `uid-${body.metadata.name}` } });
        createdNames.push(body.metadata.name);
        controller.abort(new Error("the user pressed Ctrl-C")); // right after the first destination
      },
      createDataVolume: async () => {
        throw new Error("no DataVolume volumes here");
      },
      patchVm: async (_ref: unknown, _patch: unknown, signal?: AbortSignal) => signal?.throwIfAborted(),
      findVm: async () => undefined,
      findVmi: async () => undefined,
      findDataVolume: async () => undefined,
      deleteStorage: async (_kind: string, at: { name: string }) => {
        deleted.push(at.name);
        claims.delete(at.name);
      },
    };
    const vm = {
      metadata: { name: "a", namespace: "ns" },
      spec: { template: { spec: { domain: { devices: {} }, volumes: [{ name: "root", persistentVolumeClaim: { claimName: "root-pvc" } }, { name: "data", persistentVolumeClaim: { claimName: "data-pvc" } }] } } },
    };
    const ctx = { clock: { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) }, logger: { log: () => {} }, signal: controller.signal };
    const moves = new VolumeMoves(api as never);
    await expect(moves.start({ namespace: "ns", name: "a" }, vm as never, { status: { phase: "Running" } } as never, { requestId: "req-1", mode: "live", targetStorageId: "fast" } as never, ctx as never)).rejects.toThrow();
    expect(createdNames.length).toBeGreaterThan(0);
    expect(deleted.sort()).toEqual(createdNames.sort());
    expect([...claims.keys()]).toEqual([]);
  });
});
