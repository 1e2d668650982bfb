/**
 * One `ExportVm` lease per VM per move, as Forklift and govc take it: vSphere's ExportVm returns one
 * HttpNfcLease whose `info.deviceUrl[]` lists every disk of the VM (and locks the VM while it is
 * held), so the lease is opened on the first disk the mover reads, every disk is downloaded from
 * it, and it is completed once the last of the VM's disks is here.
 *
 * While it is open, `HttpNfcLeaseProgress` with the total over all disks renews it on a timer (the
 * lease times out after `leaseTimeout` without one, also while the mover copies a staged disk into
 * the target). It is aborted when a download fails, when the move's signal is cancelled, when the
 * source is started again (rollback: an open lease blocks the power-on), and when no further disk
 * is asked for within `idleMs` after a reader was closed (the mover gave up between two disks).
 */
import { VmshiftError, pause } from "@vmshift/core";
import type { DiskDefinition, VmDefinition } from "../definition.ts";
import type { SpiContext } from "../spi.ts";
import type { VimRef, VsphereMoveApi } from "./api.ts";
import { ref, str, vmRef } from "./decoded.ts";

/** A device URL of the lease's info, as the client decodes it. */
export type DeviceUrl = Readonly<Record<string, unknown>>;

/** The device URL of `disk` among the lease's disk URLs (by its export key; the only one when the VM has one disk). */
export function deviceUrlOf(definition: VmDefinition, disk: DiskDefinition, diskUrls: readonly DeviceUrl[]): DeviceUrl | undefined {
  const wanted = disk.native?.["exportKey"];
  return diskUrls.find((u) => str(u["key"]) === wanted) ?? (diskUrls.length === 1 && definition.disks.filter((d) => d.device === "disk").length === 1 ? diskUrls[0] : undefined);
}

/** Options of {@link openExportLease}. */
export interface ExportLeaseOptions {
  readonly api: VsphereMoveApi;
  readonly pollMs: number;
  /** HttpNfcLeaseProgress at least this often while the lease is open, ms. */
  readonly progressEveryMs: number;
  /** Abort the lease when no disk is asked for this long after a reader was closed, ms. */
  readonly idleMs: number;
}

/** An open export lease of one VM. */
export interface ExportLease {
  readonly ref: VimRef;
  /** True once it was completed or aborted (a new one must be opened). */
  readonly ended: boolean;
  /** The device URL of `disk` (its `url`, `sslThumbprint`, `fileSize`); `undefined` when the lease lists none for it. */
  urlOf(disk: DiskDefinition): DeviceUrl | undefined;
  /** Records the bytes of `disk` downloaded so far (the total over all disks is what the timer reports). */
  progress(disk: DiskDefinition, bytes: number): void;
  /** `disk` is here: completes the lease when it was the last of the VM's disks. A failed Complete aborts it and throws. */
  downloaded(disk: DiskDefinition, signal: AbortSignal): Promise<void>;
  /** A reader of a disk was closed: arms the idle abort when disks remain. */
  readerClosed(): void;
  /** A disk is asked for: disarms the idle abort and aborts the lease if `signal` is cancelled later. */
  claim(signal: AbortSignal): void;
  /** Aborts the lease (idempotent; errors are swallowed: vCenter refuses to abort an ended lease). */
  abort(): Promise<void>;
}

/** Waits for a lease to leave `initializing`; its info when `ready`. */
async function readyLease(api: VsphereMoveApi, lease: VimRef, pollMs: number, signal: AbortSignal): Promise<Record<string, unknown>> {
  for (;;) {
    const p = await api.properties(lease, ["state", "info", "error"], signal);
    const state = str(p["state"]);
    if (state === "ready") return (p["info"] ?? {}) as Record<string, unknown>;
    if (state === "error" || state === "done") {
      const fault = (p["error"] as { localizedMessage?: unknown } | undefined)?.localizedMessage;
      throw new VmshiftError("MIGRATION_FAILED", `export lease ${lease.value} is ${state}${fault ? `: ${str(fault)}` : ""}`, { adapter: "vsphere", operation: "move.openDisk", subject: lease.value });
    }
    if (signal.aborted) throw new VmshiftError("ABORTED", "opening the export lease was cancelled", { adapter: "vsphere", operation: "move.openDisk" });
    await pause(pollMs, signal);
  }
}

/** How long the ExportVm call itself may take, ms (it is not bound to the move's signal: see {@link openExportLease}). */
const EXPORT_VM_TIMEOUT_MS = 60_000;

const cancelled = (definition: VmDefinition) =>
  new VmshiftError("ABORTED", "opening the export lease was cancelled", { adapter: "vsphere", operation: "move.openDisk", subject: definition.id });

/**
 * Calls ExportVm for `definition`'s VM and waits for the lease to be ready (aborting it when it is not).
 *
 * ExportVm runs under its own timeout, not the move's signal: cancelled after vCenter accepted it,
 * the client would never learn the lease's moref, nothing could abort it, and the VM would stay
 * locked against the rollback's power-on until vCenter timed the lease out. When the move was
 * cancelled meanwhile, the lease just obtained is aborted (and that abort awaited) before ABORTED.
 */
export async function openExportLease(definition: VmDefinition, options: ExportLeaseOptions, ctx: SpiContext): Promise<ExportLease> {
  const { api } = options;
  if (ctx.signal.aborted) throw cancelled(definition);
  const leaseRef = ref(await api.invoke("ExportVm", vmRef(definition.id), [], AbortSignal.timeout(EXPORT_VM_TIMEOUT_MS)));
  if (!leaseRef) throw new VmshiftError("MIGRATION_FAILED", `ExportVm of ${definition.name} returned no lease`, { adapter: "vsphere", operation: "move.openDisk", subject: definition.id });
  if (ctx.signal.aborted) {
    await api.invoke("HttpNfcLeaseAbort", leaseRef).catch(() => {});
    throw cancelled(definition);
  }
  let ended = false;
  let info: Record<string, unknown>;
  try {
    info = await readyLease(api, leaseRef, options.pollMs, ctx.signal);
  } catch (error) {
    ended = true;
    await api.invoke("HttpNfcLeaseAbort", leaseRef).catch(() => {});
    throw error;
  }
  const all = (Array.isArray(info["deviceUrl"]) ? info["deviceUrl"] : info["deviceUrl"] ? [info["deviceUrl"]] : []) as DeviceUrl[];
  const diskUrls = all.filter((u) => str(u["disk"]) !== "false");
  const disks = definition.disks.filter((d) => d.device === "disk");
  /** Disk key → its device URL, for the VM's disks the lease lists. */
  const urls = new Map<string, DeviceUrl>();
  for (const d of disks) {
    const u = deviceUrlOf(definition, d, diskUrls);
    if (u) urls.set(d.key, u);
  }
  const expected = new Map<string, number>([...urls].map(([key, u]) => [key, Number(str(u["fileSize"]) ?? 0) || disks.find((d) => d.key === key)!.sizeBytes]));
  const total = [...expected.values()].reduce((a, b) => a + b, 0);
  const bytes = new Map<string, number>();
  const pending = new Set(urls.keys());
  let sending: Promise<unknown> = Promise.resolve();
  let idle: ReturnType<typeof setTimeout> | undefined;
  let aborting: Promise<void> | undefined;
  const watched: { signal: AbortSignal; onAbort: () => void }[] = [];

  const percent = () => {
    let sent = 0;
    for (const [key, size] of expected) sent += Math.min(size, bytes.get(key) ?? 0);
    return total > 0 ? Math.min(99, Math.floor((sent / total) * 100)) : 0;
  };
  const keepalive = setInterval(() => {
    if (ended) return;
    sending = sending.then(() => (ended ? undefined : api.invoke("HttpNfcLeaseProgress", leaseRef, [["percent", percent()]]).catch(() => {})));
  }, options.progressEveryMs);
  keepalive.unref?.();

  const stop = () => {
    ended = true;
    clearInterval(keepalive);
    if (idle) clearTimeout(idle);
    idle = undefined;
    for (const w of watched.splice(0)) w.signal.removeEventListener("abort", w.onAbort);
  };
  const lease: ExportLease = {
    ref: leaseRef,
    get ended() {
      return ended;
    },
    urlOf: (disk) => urls.get(disk.key),
    progress(disk, n) {
      bytes.set(disk.key, n);
    },
    async downloaded(disk, signal) {
      bytes.set(disk.key, expected.get(disk.key) ?? bytes.get(disk.key) ?? 0);
      pending.delete(disk.key);
      if (pending.size > 0 || ended) return;
      await sending;
      try {
        await api.invoke("HttpNfcLeaseComplete", leaseRef, [], signal);
        stop();
      } catch (error) {
        // A lease left open would block the rollback's power-on.
        await lease.abort();
        throw error;
      }
    },
    readerClosed() {
      if (ended || pending.size === 0) return;
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => void lease.abort(), options.idleMs);
      idle.unref?.();
    },
    claim(signal) {
      if (idle) clearTimeout(idle);
      idle = undefined;
      if (ended || watched.some((w) => w.signal === signal)) return;
      const onAbort = () => void lease.abort();
      signal.addEventListener("abort", onAbort, { once: true });
      watched.push({ signal, onAbort });
    },
    abort() {
      // Every caller waits for the one HttpNfcLeaseAbort (the rollback's power-on must come after it).
      if (aborting) return aborting;
      if (ended) return Promise.resolve();
      stop();
      aborting = sending.then(() => api.invoke("HttpNfcLeaseAbort", leaseRef)).then(
        () => {},
        () => {},
      );
      return aborting;
    },
  };
  return lease;
}
