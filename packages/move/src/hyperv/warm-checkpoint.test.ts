/** Picking a warm pass's recovery checkpoint by the Id CreateSnapshot returned, never by age (one layer: the script's data). */
import { describe, expect, it } from "vitest";
import type { VmDefinition } from "../definition.ts";
import { madeCheckpointId } from "./warm-checkpoint.ts";

const vm = { id: "6f1c2a40-0000-4000-8000-000000000001", name: "web-01" } as VmDefinition;
const OURS = "0B7E6C52-3D1A-4F0E-9C2B-5A1D2E3F4A5B";
const BACKUP = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

describe("madeCheckpointId", () => {
  it("takes the checkpoint CreateSnapshot made even when another product's is newer", () => {
    const data = { made: OURS, recovery: [{ id: OURS.toLowerCase(), name: "web-01 - Recovery", created: "2026-12-07T23:00:00.000Z" }, { id: BACKUP, name: "backup-job-7", created: "2026-12-07T23:00:00.001Z" }] };
    expect(madeCheckpointId(vm, data)).toBe(OURS.toLowerCase());
    // 5.1 prints a single-element array as its element.
    expect(madeCheckpointId(vm, { made: OURS, recovery: { id: OURS.toLowerCase(), name: "x", created: "" } })).toBe(OURS.toLowerCase());
  });

  it("refuses (MIGRATION_FAILED) no checkpoint, an Id that is no GUID, and one not among the recovery checkpoints", () => {
    expect(() => madeCheckpointId(vm, { made: null, recovery: [{ id: BACKUP }] })).toThrow(expect.objectContaining({ code: "MIGRATION_FAILED", message: expect.stringMatching(/returned no checkpoint/) }));
    expect(() => madeCheckpointId(vm, { made: "Microsoft:nope", recovery: [] })).toThrow(expect.objectContaining({ code: "MIGRATION_FAILED", message: expect.stringMatching(/holds no Id/) }));
    expect(() => madeCheckpointId(vm, { made: OURS, recovery: [{ id: BACKUP }] })).toThrow(expect.objectContaining({ code: "MIGRATION_FAILED", message: expect.stringMatching(/not among its recovery checkpoints/) }));
  });
});
