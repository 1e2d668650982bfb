/**
 * The vSphere source's lease handling against a recording test double of `VsphereMoveApi` (one
 * layer: the vCenter client). What the real client and launcher do is proven by
 * adapters-conformance/vcsim/move-source.test.ts; here the failure paths: a running VM is refused
 * before any lease, a failed download aborts the lease and leaves no staged file, a lease that
 * ends in error is reported, a good download completes the lease and stages the bytes.
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

function fakeApi(options: { power?: string; leaseState?: string; fileSize?: string; failComplete?: boolean; download?: (file: string, onBytes?: (n: number) => void) => Promise<number> }) {
  const calls: { method: VsphereMoveCall; self: VimRef }[] = [];
  const api: VsphereMoveApi = {
    async properties(ref) {
      if (ref.type === "VirtualMachine") return { "runtime.powerState": options.power ?? "poweredOff" };
      return {
        state: options.leaseState ?? "ready",
        error: { localizedMessage: "disk locked" },
        info: { deviceUrl: [{ key: "/vm-9/VirtualLsiLogicController0:0", url: "https://*/nfc/t/disk-0.vmdk", disk: "true", ...(options.fileSize === "" ? {} : { fileSize: options.fileSize ?? "4" }) }] },
      };
    },
    async invoke(method, self) {
      calls.push({ method, self });
      if (method === "HttpNfcLeaseComplete" && options.failComplete) throw new VmshiftError("TRANSPORT", "connection reset during Complete");
      return method === "ExportVm" ? { attributes: { type: "HttpNfcLease" }, $value: "lease-1" } : undefined;
    },
    async waitTask() {},
    download: async (_url, file, o) => (options.download ? options.download(file, o?.onBytes) : 0),
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
});
