/**
 * vSphere as a move source (cold): the definition from the VM's properties, each disk through an
 * export lease (`ExportVm` → `HttpNfcLease`, its deviceUrl downloaded with the session cookie by
 * the {@link VsphereMoveApi}, `HttpNfcLeaseProgress` renewing the lease while the bytes come,
 * `HttpNfcLeaseComplete` once they are here, `HttpNfcLeaseAbort` when they are not), power through
 * `ShutdownGuest`/`PowerOffVM_Task`/`PowerOnVM_Task`.
 *
 * The exported VMDK is staged in a private directory (0700) and read from there by qemu-img:
 * qemu-img's https driver (Debian's qemu-block-extra) is not needed, and the cookie never leaves
 * the client (no argv, no json: spec). Staging costs the disk's size in local space for the
 * duration of the copy. Warm moves (warm.ts: a snapshot per pass, changed block tracking, Range
 * reads of the snapshot's disk) when the api has the snapshot calls.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VmshiftError, pause } from "@vmshift/core";
import type { MoveSource, SpiContext } from "../spi.ts";
import type { VimRef, VsphereMoveApi } from "./api.ts";
import { VM_PATHS, devicesOf, toVsphereDefinition } from "./definition.ts";
import { hasWarmCalls, vsphereWarmSource } from "./warm.ts";
import { vsphereSourceRemoval } from "./removal.ts";
import type { Removable } from "../removal.ts";

/** Options of {@link vsphereMoveSource}. */
export interface VsphereMoveSourceOptions {
  readonly api: VsphereMoveApi;
  /** Host id reported in results (e.g. the profile name). */
  readonly hostId?: string;
  /** Where exported disks are staged. Default: the OS temp directory. */
  readonly stagingDir?: string;
  /** Poll interval (lease state, guest shutdown), ms. Default 250. */
  readonly pollMs?: number;
  /** HttpNfcLeaseProgress at least this often while a disk downloads, ms. Default 5000 (leases time out after leaseTimeout, 300 s by default). */
  readonly progressEveryMs?: number;
}

const vmRef = (id: string): VimRef => ({ type: "VirtualMachine", value: id });

function str(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && "$value" in v) return str((v as { $value: unknown }).$value);
  return undefined;
}

function ref(v: unknown): VimRef | undefined {
  const type = v && typeof v === "object" ? (v as { attributes?: Record<string, string> }).attributes?.["type"] : undefined;
  const value = str(v);
  return type && value ? { type, value } : undefined;
}

function moveError(code: "NOT_FOUND" | "INVALID_STATE" | "MIGRATION_FAILED", message: string, op: string, subject: string): VmshiftError {
  return new VmshiftError(code, message, { adapter: "vsphere", operation: op, subject });
}

/** A vCenter as a move source (cold moves; see the module comment). */
export function vsphereMoveSource(options: VsphereMoveSourceOptions): MoveSource & Removable {
  const { api } = options;
  const pollMs = options.pollMs ?? 250;
  const progressEveryMs = options.progressEveryMs ?? 5000;

  async function powerState(vmId: string, ctx?: SpiContext): Promise<"running" | "stopped" | "other"> {
    const p = await api.properties(vmRef(vmId), ["runtime.powerState"], ctx?.signal);
    const s = str(p["runtime.powerState"]);
    return s === "poweredOn" ? "running" : s === "poweredOff" ? "stopped" : "other";
  }

  /** Waits for a lease to leave `initializing`; its info when `ready`. */
  async function readyLease(lease: VimRef, ctx: SpiContext): Promise<Record<string, unknown>> {
    for (;;) {
      const p = await api.properties(lease, ["state", "info", "error"], ctx.signal);
      const state = str(p["state"]);
      if (state === "ready") return (p["info"] ?? {}) as Record<string, unknown>;
      if (state === "error" || state === "done") {
        const fault = (p["error"] as { localizedMessage?: unknown } | undefined)?.localizedMessage;
        throw moveError("MIGRATION_FAILED", `export lease ${lease.value} is ${state}${fault ? `: ${str(fault)}` : ""}`, "move.openDisk", lease.value);
      }
      if (ctx.signal.aborted) throw new VmshiftError("ABORTED", "opening the export lease was cancelled", { adapter: "vsphere", operation: "move.openDisk" });
      await pause(pollMs, ctx.signal);
    }
  }

  return {
    platform: "vsphere",
    removal: vsphereSourceRemoval(api),
    ...(options.hostId ? { hostId: options.hostId } : {}),
    ...(hasWarmCalls(api) ? { warm: vsphereWarmSource({ api, ...(options.stagingDir ? { stagingDir: options.stagingDir } : {}) }) } : {}),
    async readDefinition(vmId, ctx) {
      const props = await api.properties(vmRef(vmId), VM_PATHS, ctx.signal);
      const portgroups = new Map<string, string>();
      for (const d of devicesOf(props["config.hardware.device"])) {
        const key = str(((d["backing"] as Record<string, unknown> | undefined)?.["port"] as Record<string, unknown> | undefined)?.["portgroupKey"]);
        if (key && !portgroups.has(key)) {
          const pg = await api.properties({ type: "DistributedVirtualPortgroup", value: key }, ["name"], ctx.signal).catch(() => ({}) as Record<string, unknown>);
          portgroups.set(key, str(pg["name"]) ?? key);
        }
      }
      return toVsphereDefinition(vmId, props, { portgroupNames: portgroups });
    },

    async openDisk(definition, disk, ctx) {
      const op = "move.openDisk";
      const state = await powerState(definition.id, ctx);
      if (state !== "stopped") throw moveError("INVALID_STATE", `disk ${disk.key} of ${definition.name} can only be exported while the VM is powered off (cold move); it is ${state}`, op, definition.id);
      const leaseRef = ref(await api.invoke("ExportVm", vmRef(definition.id), [], ctx.signal));
      if (!leaseRef) throw moveError("MIGRATION_FAILED", `ExportVm of ${definition.name} returned no lease`, op, definition.id);
      let dir: string | undefined;
      let settled = false;
      const abort = async () => {
        if (settled) return;
        settled = true;
        await api.invoke("HttpNfcLeaseAbort", leaseRef).catch(() => {});
      };
      try {
        dir = mkdtempSync(join(options.stagingDir ?? tmpdir(), "vmshift-vsphere-export-"));
        const info = await readyLease(leaseRef, ctx);
        const urls = (Array.isArray(info["deviceUrl"]) ? info["deviceUrl"] : info["deviceUrl"] ? [info["deviceUrl"]] : []) as Record<string, unknown>[];
        const diskUrls = urls.filter((u) => str(u["disk"]) !== "false");
        const wanted = disk.native?.["exportKey"];
        const match = diskUrls.find((u) => str(u["key"]) === wanted) ?? (diskUrls.length === 1 && definition.disks.filter((d) => d.device === "disk").length === 1 ? diskUrls[0] : undefined);
        const url = match ? str(match["url"]) : undefined;
        if (!url) throw moveError("MIGRATION_FAILED", `the export lease of ${definition.name} has no device URL for disk ${disk.key} (${wanted ?? "no key"})`, op, definition.id);
        const file = join(dir, `${disk.key}.vmdk`);
        // The lease expires without progress reports: without the file's size, the disk's capacity bounds the percentage.
        const expected = Number(str(match?.["fileSize"]) ?? 0) || disk.sizeBytes;
        let lastProgress = Date.now();
        let sending: Promise<unknown> = Promise.resolve();
        await api.download(url, file, {
          signal: ctx.signal,
          onBytes: (bytes) => {
            if (Date.now() - lastProgress < progressEveryMs) return;
            lastProgress = Date.now();
            const percent = expected > 0 ? Math.min(99, Math.floor((bytes / expected) * 100)) : 0;
            sending = sending.then(() => api.invoke("HttpNfcLeaseProgress", leaseRef, [["percent", percent]]).catch(() => {}));
          },
        });
        await sending;
        await api.invoke("HttpNfcLeaseComplete", leaseRef, [], ctx.signal);
        settled = true;
        const staged = dir;
        return { location: file, format: "vmdk", close: async () => rmSync(staged, { recursive: true, force: true }) };
      } catch (error) {
        // Also when Complete failed: a lease left open would block the rollback's power-on.
        await abort();
        if (dir) rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    },

    async stop(vmId, { shutdownTimeoutMs }, ctx) {
      if ((await powerState(vmId, ctx)) === "stopped") return;
      const props = await api.properties(vmRef(vmId), ["guest.toolsRunningStatus"], ctx.signal).catch(() => ({}) as Record<string, unknown>);
      if (str(props["guest.toolsRunningStatus"]) === "guestToolsRunning") {
        await api.invoke("ShutdownGuest", vmRef(vmId), [], ctx.signal).catch(() => {});
        const deadline = Date.now() + shutdownTimeoutMs;
        while (Date.now() < deadline) {
          if ((await powerState(vmId, ctx)) === "stopped") return;
          await pause(pollMs, ctx.signal);
        }
      }
      const task = ref(await api.invoke("PowerOffVM_Task", vmRef(vmId), [], ctx.signal));
      if (task) await api.waitTask(task, ctx.signal);
      if ((await powerState(vmId, ctx)) !== "stopped") throw moveError("MIGRATION_FAILED", `${vmId} did not power off`, "move.stopSource", vmId);
    },

    async start(vmId, ctx) {
      if ((await powerState(vmId, ctx)) === "running") return;
      const task = ref(await api.invoke("PowerOnVM_Task", vmRef(vmId), [], ctx.signal));
      if (task) await api.waitTask(task, ctx.signal);
    },

    powerState: (vmId, ctx) => powerState(vmId, ctx),
  };
}

