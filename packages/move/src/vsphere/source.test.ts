/**
 * The vSphere source's lease handling against a recording test double of `VsphereMoveApi` (one
 * layer: the vCenter client). What the real client and launcher do is proven by
 * adapters-conformance/vcsim/move-source.test.ts; here the failure paths: a running VM is refused
 * before any lease, a failed download aborts the lease and leaves no staged file, a lease that
 * ends in error is reported, a good download completes the lease and stages the bytes, a cancel
 * during ExportVm still aborts the lease vCenter made before the rollback powers on.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VmshiftError } from "@vmshift/core";
import { afterEach, describe, expect, it } from "vitest";
import type { VimRef, VsphereMoveApi, VsphereMoveCall } from "./api.ts";
import type { VmDefinition } from "../definition.ts";
import { vsphereMoveSource } from "./source.ts";

const ctx = () => ({ signal: AbortSignal.timeout(10_000) });
const definition: VmDefinition = {
  id: "vm-9", name: "db", cpus: 1, memoryBytes: 2 ** 20, firmware: { kind: "bios" }, nics: [], snapshotCount: 0, powerState: "stopped",
  disks: [{ key: "sda", sizeBytes: 4, format: "vmdk", bus: "scsi", storage: "ds1", device: "disk", native: { deviceKey: "2000", exportKey: "/vm-9/VirtualLsiLogicController0:0" } }],
};

/** A VM with two disks on one controller (units 0 and 1). */
const twoDisks: VmDefinition = {
  ...definition,
  disks: [definition.disks[0]!, { key: "sdb", sizeBytes: 6, format: "vmdk", bus: "scsi", storage: "ds1", device: "disk", native: { deviceKey: "2001", exportKey: "/vm-9/VirtualLsiLogicController0:1" } }],
};

function fakeApi(options: { power?: string; leaseState?: string; fileSize?: string; failComplete?: boolean; twoDisks?: boolean; download?: (file: string, onBytes?: (n: number) => void, url?: string) => Promise<number> }) {
  const calls: { method: VsphereMoveCall; self: VimRef; params?: readonly (readonly [string, unknown])[] }[] = [];
  const api: VsphereMoveApi = {
    async properties(ref) {
      if (ref.type === "VirtualMachine") return { "runtime.powerState": options.power ?? "poweredOff" };
      return {
        state: options.leaseState ?? "ready",
        error: { localizedMessage: "disk locked" },
        info: {
          deviceUrl: [
            { key: "/vm-9/VirtualLsiLogicController0:0", url: "https://*/nfc/t/disk-0.vmdk", disk: "true", ...(options.fileSize === "" ? {} : { fileSize: options.fileSize ?? "4" }) },
            ...(options.twoDisks ? [{ key: "/vm-9/VirtualLsiLogicController0:1", url: "https://*/nfc/t/disk-1.vmdk", disk: "true", fileSize: "6" }] : []),
          ],
        },
      };
    },
    async invoke(method, self, params) {
      calls.push({ method, self, ...(params ? { params } : {}) });
      if (method === "HttpNfcLeaseComplete" && options.failComplete) throw new VmshiftError("TRANSPORT", "connection reset during Complete");
      return method === "ExportVm" ? { attributes: { type: "HttpNfcLease" }, $value: "lease-1" } : undefined;
    },
    async waitTask() {},
    download: async (url, file, o) => (options.download ? options.download(file, o?.onBytes, url) : 0),
  };
  return { api, calls };
}

let staging: string;
afterEach(() => rmSync(staging, { recursive: true, force: true }));

describe("vsphereMoveSource.openDisk", () => {
  it("stages the device URL's bytes, completes the lease, and removes the file on close", async () => {
    staging = mkdtempSync(join(tmpdir(), "vs-src-test-"));
    const { api, calls } = fakeApi({ download: async (file) => (writeFileSync(file, "VMDK"), 4) });
    const reader = await vsphereMoveSource({ api, stagingDir: staging, pollMs: 1 }).openDisk(definition, definition.disks[0]!, ctx());
    expect(reader.format).toBe("vmdk");
    expect(readFileSync(reader.location, "utf8")).toBe("VMDK");
    expect(calls.map((c) => c.method)).toEqual(["ExportVm", "HttpNfcLeaseComplete"]);
    await reader.close();
    expect(existsSync(reader.location)).toBe(false);
    expect(readdirSync(staging)).toEqual([]);
  });

  it("aborts the lease and leaves nothing staged when the download fails", async () => {
    staging = mkdtempSync(join(tmpdir(), "vs-src-test-"));
    const { api, calls } = fakeApi({ download: async (file) => { writeFileSync(file, "VM"); throw new VmshiftError("TRANSPORT", "connection reset"); } });
    const error = await vsphereMoveSource({ api, stagingDir: staging, pollMs: 1 }).openDisk(definition, definition.disks[0]!, ctx()).catch((e: unknown) => e);
    expect((error as VmshiftError).code).toBe("TRANSPORT");
    expect(calls.map((c) => c.method)).toEqual(["ExportVm", "HttpNfcLeaseAbort"]);
    expect(readdirSync(staging)).toEqual([]);
  });

  it("aborts the lease when Complete fails (an open lease would block the rollback's power-on), staging nothing", async () => {
    staging = mkdtempSync(join(tmpdir(), "vs-src-test-"));
    const { api, calls } = fakeApi({ failComplete: true, download: async (file) => (writeFileSync(file, "VMDK"), 4) });
    const error = await vsphereMoveSource({ api, stagingDir: staging, pollMs: 1 }).openDisk(definition, definition.disks[0]!, ctx()).catch((e: unknown) => e);
    expect((error as VmshiftError).code).toBe("TRANSPORT");
    expect(calls.map((c) => c.method)).toEqual(["ExportVm", "HttpNfcLeaseComplete", "HttpNfcLeaseAbort"]);
    expect(readdirSync(staging)).toEqual([]);
  });

  it("keeps the lease alive with progress reports also when the device URL gives no file size (the disk's capacity bounds the percentage)", async () => {
    staging = mkdtempSync(join(tmpdir(), "vs-src-test-"));
    const { api, calls } = fakeApi({
      fileSize: "",
      download: async (file, onBytes) => {
        writeFileSync(file, "VMDK");
        for (const n of [1, 2, 3]) {
          await new Promise((r) => setTimeout(r, 15));
          onBytes?.(n);
        }
        return 4;
      },
    });
    const reader = await vsphereMoveSource({ api, stagingDir: staging, pollMs: 1, progressEveryMs: 5 }).openDisk(definition, definition.disks[0]!, ctx());
    expect(calls.filter((c) => c.method === "HttpNfcLeaseProgress").length).toBeGreaterThanOrEqual(2);
    await reader.close();
  });

  it("refuses a running VM before asking for a lease", async () => {
    staging = mkdtempSync(join(tmpdir(), "vs-src-test-"));
    const { api, calls } = fakeApi({ power: "poweredOn" });
    const error = await vsphereMoveSource({ api, stagingDir: staging }).openDisk(definition, definition.disks[0]!, ctx()).catch((e: unknown) => e);
    expect((error as VmshiftError).code).toBe("INVALID_STATE");
    expect(calls).toEqual([]);
  });

  it("reports a lease that ends in error with its fault (its abort is still sent; vCenter refuses it quietly), staging nothing", async () => {
    staging = mkdtempSync(join(tmpdir(), "vs-src-test-"));
    const { api, calls } = fakeApi({ leaseState: "error" });
    const error = await vsphereMoveSource({ api, stagingDir: staging, pollMs: 1 }).openDisk(definition, definition.disks[0]!, ctx()).catch((e: unknown) => e);
    expect((error as VmshiftError).code).toBe("MIGRATION_FAILED");
    expect((error as Error).message).toContain("disk locked");
    expect(calls.map((c) => c.method)).toEqual(["ExportVm", "HttpNfcLeaseAbort"]);
    expect(readdirSync(staging)).toEqual([]);
  });

  it("reads every disk of a two-disk VM through one lease: one ExportVm, Complete after the last disk, not before", async () => {
    staging = mkdtempSync(join(tmpdir(), "vs-src-test-"));
    const { api, calls } = fakeApi({ twoDisks: true, download: async (file, _on, url) => (writeFileSync(file, url!), 4) });
    const source = vsphereMoveSource({ api, stagingDir: staging, pollMs: 1 });
    const first = await source.openDisk(twoDisks, twoDisks.disks[0]!, ctx());
    expect(calls.map((c) => c.method)).toEqual(["ExportVm"]); // the lease stays open for the second disk
    await first.close();
    const second = await source.openDisk(twoDisks, twoDisks.disks[1]!, ctx());
    expect(readFileSync(second.location, "utf8")).toBe("https://*/nfc/t/disk-1.vmdk");
    await second.close();
    expect(calls.map((c) => c.method)).toEqual(["ExportVm", "HttpNfcLeaseComplete"]);
    expect(readdirSync(staging)).toEqual([]);
  });

  it("renews the one lease with the total progress over both disks, also while the mover copies a staged disk", async () => {
    staging = mkdtempSync(join(tmpdir(), "vs-src-test-"));
    const { api, calls } = fakeApi({ twoDisks: true, download: async (file, onBytes) => (writeFileSync(file, "V"), onBytes?.(4), 4) });
    const source = vsphereMoveSource({ api, stagingDir: staging, pollMs: 1, progressEveryMs: 5 });
    const first = await source.openDisk(twoDisks, twoDisks.disks[0]!, ctx());
    await new Promise((r) => setTimeout(r, 40)); // the copy of the first disk into the target
    const percents = calls.filter((c) => c.method === "HttpNfcLeaseProgress").map((c) => c.params?.[0]?.[1]);
    expect(percents.length).toBeGreaterThanOrEqual(2);
    expect(percents.at(-1)).toBe(40); // 4 of 4 + 6 bytes
    await first.close();
    await (await source.openDisk(twoDisks, twoDisks.disks[1]!, ctx())).close();
    const n = calls.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(calls.length).toBe(n); // no renewals after Complete
  });

  it("aborts the open lease when the move is cancelled between two disks", async () => {
    staging = mkdtempSync(join(tmpdir(), "vs-src-test-"));
    const { api, calls } = fakeApi({ twoDisks: true, download: async (file) => (writeFileSync(file, "V"), 4) });
    const cancel = new AbortController();
    const reader = await vsphereMoveSource({ api, stagingDir: staging, pollMs: 1 }).openDisk(twoDisks, twoDisks.disks[0]!, { signal: cancel.signal });
    cancel.abort();
    await new Promise((r) => setTimeout(r, 5));
    expect(calls.map((c) => c.method)).toEqual(["ExportVm", "HttpNfcLeaseAbort"]);
    await reader.close();
  });

  it("aborts the open lease when no further disk is asked for after a reader was closed (the mover failed between disks)", async () => {
    staging = mkdtempSync(join(tmpdir(), "vs-src-test-"));
    const { api, calls } = fakeApi({ twoDisks: true, download: async (file) => (writeFileSync(file, "V"), 4) });
    const reader = await vsphereMoveSource({ api, stagingDir: staging, pollMs: 1, leaseIdleMs: 10 }).openDisk(twoDisks, twoDisks.disks[0]!, ctx());
    await reader.close();
    expect(calls.map((c) => c.method)).toEqual(["ExportVm"]);
    await new Promise((r) => setTimeout(r, 40));
    expect(calls.map((c) => c.method)).toEqual(["ExportVm", "HttpNfcLeaseAbort"]);
  });

  it("aborts the open lease before the rollback powers the source on", async () => {
    staging = mkdtempSync(join(tmpdir(), "vs-src-test-"));
    const { api, calls } = fakeApi({ twoDisks: true, download: async (file) => (writeFileSync(file, "V"), 4) });
    const source = vsphereMoveSource({ api, stagingDir: staging, pollMs: 1 });
    await (await source.openDisk(twoDisks, twoDisks.disks[0]!, ctx())).close();
    await source.start("vm-9", ctx());
    expect(calls.map((c) => c.method)).toEqual(["ExportVm", "HttpNfcLeaseAbort", "PowerOnVM_Task"]);
  });

  it("hands the device URL's sslThumbprint to the download (an ESXi host's URL is pinned to it)", async () => {
    staging = mkdtempSync(join(tmpdir(), "vs-src-test-"));
    const seen: (string | undefined)[] = [];
    const { api } = fakeApi({ download: async (file) => (writeFileSync(file, "V"), 1) });
    const original = api.properties.bind(api);
    api.properties = async (r, paths, signal) => {
      const p = await original(r, paths, signal);
      if (r.type !== "HttpNfcLease") return p;
      return { ...p, info: { deviceUrl: [{ key: "/vm-9/VirtualLsiLogicController0:0", url: "https://esx-01.example/nfc/t/disk-0.vmdk", disk: "true", sslThumbprint: "AB:CD" }] } };
    };
    const download = api.download.bind(api);
    api.download = async (url, file, o) => (seen.push(o?.sslThumbprint), download(url, file, o));
    await (await vsphereMoveSource({ api, stagingDir: staging, pollMs: 1 }).openDisk(definition, definition.disks[0]!, ctx())).close();
    expect(seen).toEqual(["AB:CD"]);
  });

  it("powers the source on only after the abort a cancel started has been answered", async () => {
    staging = mkdtempSync(join(tmpdir(), "vs-src-test-"));
    const { api, calls } = fakeApi({ twoDisks: true, download: async (file) => (writeFileSync(file, "V"), 4) });
    const invoke = api.invoke.bind(api);
    api.invoke = async (method, self, params, signal) => {
      if (method === "HttpNfcLeaseAbort") await new Promise((r) => setTimeout(r, 20)); // a slow vCenter
      const out = await invoke(method, self, params, signal);
      if (method === "HttpNfcLeaseAbort") calls.push({ method: "HttpNfcLeaseAbort", self: { type: "answered", value: "" } });
      return out;
    };
    const cancel = new AbortController();
    const source = vsphereMoveSource({ api, stagingDir: staging, pollMs: 1 });
    await (await source.openDisk(twoDisks, twoDisks.disks[0]!, { signal: cancel.signal })).close();
    cancel.abort();
    await source.start("vm-9", ctx());
    expect(calls.map((c) => (c.self.type === "answered" ? "answered" : c.method))).toEqual(["ExportVm", "HttpNfcLeaseAbort", "answered", "PowerOnVM_Task"]);
  });

  it("aborts the lease ExportVm returns when the move is cancelled during the call (vCenter already made it), before the rollback's power-on", async () => {
    staging = mkdtempSync(join(tmpdir(), "vs-src-test-"));
    const { api, calls } = fakeApi({ download: async (file) => (writeFileSync(file, "V"), 4) });
    const invoke = api.invoke.bind(api);
    const cancel = new AbortController();
    api.invoke = async (method, self, params, signal) => {
      const out = await invoke(method, self, params, signal);
      if (method === "ExportVm") {
        // vCenter has accepted the call and made lease-1; the move is cancelled before the answer arrives.
        cancel.abort();
        await new Promise((r) => setTimeout(r, 10));
        // A client bound to the cancelled signal drops the answer: the lease's moref is lost.
        if (signal?.aborted) throw new VmshiftError("ABORTED", "request cancelled");
      }
      if (method === "HttpNfcLeaseAbort") await new Promise((r) => setTimeout(r, 20)); // a slow vCenter
      if (method === "HttpNfcLeaseAbort") calls.push({ method: "HttpNfcLeaseAbort", self: { type: "answered", value: "" } });
      return out;
    };
    const source = vsphereMoveSource({ api, stagingDir: staging, pollMs: 1 });
    const error = await source.openDisk(definition, definition.disks[0]!, { signal: cancel.signal }).catch((e: unknown) => e);
    expect((error as VmshiftError).code).toBe("ABORTED");
    await source.start("vm-9", ctx());
    expect(calls.map((c) => (c.self.type === "answered" ? "answered" : c.method))).toEqual(["ExportVm", "HttpNfcLeaseAbort", "answered", "PowerOnVM_Task"]);
    expect(calls.find((c) => c.method === "HttpNfcLeaseAbort")?.self).toEqual({ type: "HttpNfcLease", value: "lease-1" });
    expect(readdirSync(staging)).toEqual([]);
  });

  it("asks for no lease when the move is already cancelled", async () => {
    staging = mkdtempSync(join(tmpdir(), "vs-src-test-"));
    const { api, calls } = fakeApi({ download: async (file) => (writeFileSync(file, "V"), 4) });
    const cancel = new AbortController();
    cancel.abort();
    const error = await vsphereMoveSource({ api, stagingDir: staging, pollMs: 1 }).openDisk(definition, definition.disks[0]!, { signal: cancel.signal }).catch((e: unknown) => e);
    expect((error as VmshiftError).code).toBe("ABORTED");
    expect(calls).toEqual([]);
  });
});
