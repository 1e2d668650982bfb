/**
 * vSphere as a move source (cold): the definition from the VM's properties, the disks through one
 * export lease per VM (`ExportVm` → `HttpNfcLease`, export-lease.ts: opened on the first disk,
 * each disk's deviceUrl downloaded by the {@link VsphereMoveApi} — with the session cookie on
 * vCenter, pinned to the URL's `sslThumbprint` on an ESXi host —, `HttpNfcLeaseProgress` renewing
 * it, `HttpNfcLeaseComplete` once the last disk is here, `HttpNfcLeaseAbort` when the move fails),
 * power through `ShutdownGuest`/`PowerOffVM_Task`/`PowerOnVM_Task`.
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
import { type ExportLease, openExportLease } from "./export-lease.ts";
import { hasWarmCalls, vsphereWarmSource } from "./warm.ts";
import { vsphereSourceRemoval } from "./removal.ts";
import type { Removable } from "../removal.ts";
import { ref, str, vmRef } from "./decoded.ts";

/** Options of {@link vsphereMoveSource}. */
export interface VsphereMoveSourceOptions {
  /** vCenter's vim25 calls and datastore interface (`createVsphereMoveApi(connection)` from `@vmshift/vsphere` fits). */
  readonly api: VsphereMoveApi;
  /** Host id reported in results (e.g. the profile name). */
  readonly hostId?: string;
  /** Where exported disks are staged. Default: the OS temp directory. */
  readonly stagingDir?: string;
  /** Poll interval (lease state, guest shutdown), ms. Default 250. */
  readonly pollMs?: number;
  /** HttpNfcLeaseProgress at least this often while the export lease is open, ms. Default 5000 (leases time out after leaseTimeout, 300 s by default). */
  readonly progressEveryMs?: number;
  /** The export lease is aborted when no further disk is asked for this long after a reader was closed, ms. Default 30 000. */
  readonly leaseIdleMs?: number;
}

function moveError(code: "NOT_FOUND" | "INVALID_STATE" | "MIGRATION_FAILED", message: string, op: string, subject: string): VmshiftError {
  return new VmshiftError(code, message, { adapter: "vsphere", operation: op, subject });
}

/** A vCenter as a move source (cold moves; see the module comment). */
export function vsphereMoveSource(options: VsphereMoveSourceOptions): MoveSource & Removable {
  const { api } = options;
  const pollMs = options.pollMs ?? 250;
  const progressEveryMs = options.progressEveryMs ?? 5000;
  const idleMs = options.leaseIdleMs ?? 30_000;
  /** The open export lease of each VM (one per VM per move: every disk is downloaded from it). */
  const leases = new Map<string, ExportLease>();

  async function powerState(vmId: string, ctx?: SpiContext): Promise<"running" | "stopped" | "other"> {
    const p = await api.properties(vmRef(vmId), ["runtime.powerState"], ctx?.signal);
    const s = str(p["runtime.powerState"]);
    return s === "poweredOn" ? "running" : s === "poweredOff" ? "stopped" : "other";
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
      let lease = leases.get(definition.id);
      if (!lease || lease.ended) {
        leases.delete(definition.id);
        const state = await powerState(definition.id, ctx);
        if (state !== "stopped") throw moveError("INVALID_STATE", `disk ${disk.key} of ${definition.name} can only be exported while the VM is powered off (cold move); it is ${state}`, op, definition.id);
        lease = await openExportLease(definition, { api, pollMs, progressEveryMs, idleMs }, ctx);
        leases.set(definition.id, lease);
      }
      const open = lease;
      open.claim(ctx.signal);
      let dir: string | undefined;
      try {
        dir = mkdtempSync(join(options.stagingDir ?? tmpdir(), "vmshift-vsphere-export-"));
        const match = open.urlOf(disk);
        const url = match ? str(match["url"]) : undefined;
        if (!url) throw moveError("MIGRATION_FAILED", `the export lease of ${definition.name} has no device URL for disk ${disk.key} (${disk.native?.["exportKey"] ?? "no key"})`, op, definition.id);
        const thumbprint = str(match?.["sslThumbprint"]);
        const file = join(dir, `${disk.key}.vmdk`);
        await api.download(url, file, { signal: ctx.signal, onBytes: (bytes) => open.progress(disk, bytes), ...(thumbprint ? { sslThumbprint: thumbprint } : {}) });
        await open.downloaded(disk, ctx.signal);
        const staged = dir;
        return {
          location: file,
          format: "vmdk",
          close: async () => {
            rmSync(staged, { recursive: true, force: true });
            open.readerClosed();
          },
        };
      } catch (error) {
        // Also when Complete failed: a lease left open would block the rollback's power-on.
        await open.abort();
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
      // Rollback: an export lease still open locks the VM against the power-on.
      await leases.get(vmId)?.abort();
      leases.delete(vmId);
      if ((await powerState(vmId, ctx)) === "running") return;
      const task = ref(await api.invoke("PowerOnVM_Task", vmRef(vmId), [], ctx.signal));
      if (task) await api.waitTask(task, ctx.signal);
    },

    powerState: (vmId, ctx) => powerState(vmId, ctx),
  };
}

