import { describe, expect, it } from "vitest";
import { decodeMigrationId, encodeMigrationId } from "./migration-id.ts";
import { pageOf } from "./paging.ts";

const items = ["c", "a", "e", "b", "d"].map((id) => ({ id }));
const limits = { defaultSize: 2, maxSize: 3, operation: "vm.list" };

describe("pageOf", () => {
  it("pages in id order with a cursor that resumes after the last id", () => {
    const first = pageOf(items, {}, limits);
    expect(first.items.map((i) => i.id)).toEqual(["a", "b"]);
    const second = pageOf(items, { cursor: first.nextCursor! }, limits);
    expect(second.items.map((i) => i.id)).toEqual(["c", "d"]);
    const last = pageOf(items, { cursor: second.nextCursor! }, limits);
    expect(last).toEqual({ items: [{ id: "e" }] });
  });

  it("survives an item disappearing between pages and caps the page size", () => {
    const first = pageOf(items, { pageSize: 10 }, limits);
    expect(first.items).toHaveLength(3);
    const rest = pageOf(items.filter((i) => i.id !== "c"), { pageSize: 10, cursor: first.nextCursor! }, limits);
    expect(rest.items.map((i) => i.id)).toEqual(["d", "e"]);
  });

  it("rejects a malformed cursor with INVALID_ARGUMENT", () => {
    expect(() => pageOf(items, { cursor: "not a cursor!" }, limits)).toThrow(/INVALID_ARGUMENT/);
  });
});

describe("migration ids", () => {
  it("round-trip and carry what attach needs", () => {
    const ref = { vmId: "v'1", mode: "live", sourceHost: "HV-A", targetHost: "HV-B", jobId: "Microsoft:J1", startedAt: "2026-01-01T00:00:00.000Z" } as const;
    const id = encodeMigrationId(ref);
    expect(id).toMatch(/^hv1\.[A-Za-z0-9_-]+$/);
    expect(decodeMigrationId(id, "migration.attach")).toEqual(ref);
  });

  it.each(["", "hv1.", "hv1.e30", "vm-123", `${encodeMigrationId({ vmId: "v", mode: "live", sourceHost: "a", targetHost: "b", startedAt: "t" })}`])("rejects %j with INVALID_ARGUMENT", (id) => {
    expect(() => decodeMigrationId(id, "migration.attach")).toThrow(/INVALID_ARGUMENT/);
  });
});
