/**
 * Nutanix AHV as a move source (cold), over Prism Central's v4 API:
 * - the definition from `GET /api/vmm/v4.0/ahv/config/vms/{extId}` (vm-definition.ts);
 * - each disk through the content library: `POST /api/vmm/v4.0/content/images` with a
 *   `VmDiskSource` (the VM disk's extId and the VM's), the task awaited, then
 *   `GET …/images/{imageExtId}/file` streamed by Node into a private staging file that qemu-img
 *   reads (download.ts says why not qemu-img over HTTPS); `close()` deletes the temporary image
 *   (`DELETE …/images/{extId}`, a task) and the staging file;
 * - stop (`shutdown`, then `power-off` after the timeout), start (`power-on`) and the power state
 *   through `$actions` with `If-Match` and `NTNX-Request-Id`;
 * - removal after the move (`removeSource`): removal.ts (DELETE of the VM, its VM disks with it).
 *
 * It speaks JSON through a {@link PrismRequester} (`NutanixTransport` from `@vmshift/nutanix`
 * fits) and downloads with an {@link ImageFileDownloader}, so `@vmshift/move` needs no adapter.
 * Warm moves: none — the v4 VMM API offers no changed-block tracking of VM disks.
 */
import { randomUUID } from "node:crypto";
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VmshiftError, isVmshiftError, pause } from "@vmshift/core";
import type { DiskFormat } from "../definition.ts";
import type { MoveSource, SpiContext } from "../spi.ts";
import type { ImageFileDownloader } from "./download.ts";
import { prismPath } from "./path.ts";
import { type V4Vm, toDefinition } from "./vm-definition.ts";
import { nutanixSourceRemoval } from "./removal.ts";
import type { Removable } from "../removal.ts";

/** One Prism request (the subset of `@vmshift/nutanix`'s `HttpRequest` the source sends). */
export interface PrismRequest {
  /** HTTP method. */
  readonly method: "GET" | "POST" | "DELETE";
  /** The URL path, every caller-supplied segment percent-encoded (path.ts's `prismPath`, the rule of `@vmshift/nutanix`). */
  readonly path: string;
  /** Query parameters (undefined ones left out). */
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Extra headers (`If-Match`, `NTNX-Request-Id`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON body. */
  readonly body?: unknown;
  /** Names the call in errors. */
  readonly operation: string;
  /** The VM or image it is about, in errors. */
  readonly subject?: string;
  /** Aborts the request. */
  readonly signal?: AbortSignal;
}

/** The part of a Prism client the source uses (`NutanixTransport` from `@vmshift/nutanix` fits): throws a VmshiftError on 4xx/5xx. */
export interface PrismRequester {
  /** Sends one request; resolves with the status, the parsed JSON and the ETag; throws a VmshiftError on 4xx/5xx. */
  request<T>(request: PrismRequest): Promise<{ readonly status: number; readonly data: T; readonly etag?: string }>;
}

/** Options of {@link nutanixMoveSource}. */
export interface NutanixMoveSourceOptions {
  /** Prism Central's v4 JSON API (`NutanixTransport` from `@vmshift/nutanix` fits). */
  readonly api: PrismRequester;
  /** Downloads image files (`prismImageFiles(connection)`). */
  readonly files: ImageFileDownloader;
  /** Where downloaded disks are staged (a private directory per disk is made in it). Default: the OS temp dir. */
  readonly stagingDir?: string;
  /** Host id reported in results (e.g. the profile name). */
  readonly hostId?: string;
  /** Task poll interval, ms. Default 250. */
  readonly pollMs?: number;
  /** Longest wait for an image task, ms. Default 3 600 000. */
  readonly imageTimeoutMs?: number;
}

interface Task {
  readonly extId: string;
  readonly status: string;
  readonly entitiesAffected?: readonly { readonly extId?: string; readonly rel?: string }[];
  readonly errorMessages?: readonly { readonly message?: string }[];
  readonly legacyErrorMessage?: string;
}

const IMAGES = "/api/vmm/v4.0/content/images";
/** How long a cancelled or failed image read waits for Prism to finish the image it then deletes. */
const ABANDON_WAIT_MS = 120_000;
const DONE = new Set(["SUCCEEDED", "FAILED", "CANCELED"]);
const POWER: Readonly<Record<string, "running" | "stopped">> = { ON: "running", OFF: "stopped" };

/** A Prism Central as a cold move source. */
export function nutanixMoveSource(options: NutanixMoveSourceOptions): MoveSource & Removable {
  const { api, files } = options;
  const pollMs = options.pollMs ?? 250;
  const imageTimeoutMs = options.imageTimeoutMs ?? 3_600_000;
  const fail = (code: "MIGRATION_FAILED" | "NOT_SUPPORTED" | "INVALID_STATE" | "TIMEOUT" | "ABORTED", message: string, operation: string, subject: string) => new VmshiftError(code, message, { adapter: "nutanix", operation, subject, retryable: false });

  async function getVm(vmId: string, ctx: SpiContext, operation: string) {
    const r = await api.request<{ data: V4Vm }>({ method: "GET", path: prismPath`/api/vmm/v4.0/ahv/config/vms/${vmId}`, operation, subject: vmId, signal: ctx.signal });
    return { vm: r.data.data, etag: r.etag };
  }

  async function waitTask(taskId: string, ctx: SpiContext, timeoutMs: number, operation: string, subject: string): Promise<Task | undefined> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const r = await api.request<{ data: Task }>({ method: "GET", path: prismPath`/api/prism/v4.0/config/tasks/${taskId}`, operation, subject, signal: ctx.signal });
      if (DONE.has(r.data.data.status)) return r.data.data;
      if (ctx.signal.aborted) throw fail("ABORTED", `waiting for task ${taskId} was cancelled`, operation, subject);
      if (Date.now() >= until) return undefined;
      await pause(pollMs, ctx.signal);
    }
  }

  const taskError = (t: Task) => t.errorMessages?.map((m) => m.message).filter(Boolean).join("; ") || t.legacyErrorMessage || t.status;

  /** POSTs a VM `$action` with the VM's current ETag and a fresh request id; returns its task id. */
  async function act(vmId: string, action: "shutdown" | "power-off" | "power-on", ctx: SpiContext, operation: string): Promise<string> {
    const { etag } = await getVm(vmId, ctx, operation);
    const r = await api.request<{ data: { extId: string } }>({
      method: "POST",
      path: prismPath`/api/vmm/v4.0/ahv/config/vms/${vmId}/$actions/${action}`,
      headers: { "NTNX-Request-Id": randomUUID(), ...(etag ? { "If-Match": etag } : {}) },
      body: {},
      operation,
      subject: vmId,
      signal: ctx.signal,
    });
    return r.data.data.extId;
  }

  async function powerState(vmId: string, ctx: SpiContext): Promise<"running" | "stopped" | "other"> {
    return POWER[(await getVm(vmId, ctx, "move.state")).vm.powerState ?? ""] ?? "other";
  }

  async function deleteImage(imageId: string, subject: string): Promise<void> {
    const ctx = { signal: new AbortController().signal };
    let taskId: string;
    try {
      taskId = (await api.request<{ data: { extId: string } }>({ method: "DELETE", path: prismPath`/api/vmm/v4.0/content/images/${imageId}`, operation: "move.closeDisk", subject, signal: ctx.signal })).data.data.extId;
    } catch (error) {
      if (isVmshiftError(error) && error.code === "NOT_FOUND") return;
      throw error;
    }
    const t = await waitTask(taskId, ctx, imageTimeoutMs, "move.closeDisk", subject);
    if (t?.status !== "SUCCEEDED") throw fail("MIGRATION_FAILED", `deleting temporary image ${imageId} ${t ? `failed: ${taskError(t)}` : "did not finish"}; delete it by hand`, "move.closeDisk", subject);
  }

  /**
   * Deletes the image a CreateImage task makes, when the move no longer wants it: waits (uncancelled,
   * at most {@link ABANDON_WAIT_MS}) for the task, then finds the image by its entities or its unique
   * name. An image Prism finishes later than that stays (its name says vmshift made it).
   */
  async function abandonImage(taskId: string, name: string, subject: string): Promise<void> {
    const quiet = { signal: new AbortController().signal };
    const task = await waitTask(taskId, quiet, Math.min(imageTimeoutMs, ABANDON_WAIT_MS), "move.closeDisk", subject).catch(() => undefined);
    const imageId = await createdImage(task ?? { extId: taskId, status: "RUNNING" }, name, quiet, subject);
    if (imageId) await deleteImage(imageId, subject);
  }

  /** The image a finished CreateImage task made: from its entities, else by its unique name. */
  async function createdImage(task: Task, name: string, ctx: SpiContext, subject: string): Promise<string | undefined> {
    const byRel = task.entitiesAffected?.find((e) => e.rel === "vmm:content:image" && e.extId)?.extId;
    if (byRel) return byRel;
    const r = await api.request<{ data?: { extId: string; name: string }[] }>({ method: "GET", path: IMAGES, query: { $filter: `name eq '${name.replaceAll("'", "''")}'` }, operation: "move.openDisk", subject, signal: ctx.signal });
    return r.data.data?.find((i) => i.name === name)?.extId;
  }

  return {
    platform: "nutanix",
    removal: nutanixSourceRemoval(api, { pollMs }),
    ...(options.hostId ? { hostId: options.hostId } : {}),

    async readDefinition(vmId, ctx) {
      const { vm } = await getVm(vmId, ctx, "move.readDefinition");
      return toDefinition(vmId, vm);
    },

    async openDisk(definition, disk, ctx) {
      const subject = `${definition.id}/${disk.key}`;
      const state = await powerState(definition.id, ctx);
      if (state !== "stopped") throw fail("INVALID_STATE", `disk ${disk.key} of ${definition.name} can only be read while the VM is off (cold move); it is ${state}`, "move.openDisk", definition.id);
      const diskExtId = disk.native?.["diskExtId"];
      if (disk.device !== "disk" || disk.rawDevice || !diskExtId) throw fail("NOT_SUPPORTED", `disk ${disk.key} is not a VM disk (volume group or removable media); only VM disks can be read`, "move.openDisk", definition.id);
      const name = `vmshift-move-${definition.id}-${disk.key}-${randomUUID().slice(0, 8)}`;
      const created = await api.request<{ data: { extId: string } }>({
        method: "POST",
        path: IMAGES,
        headers: { "NTNX-Request-Id": randomUUID() },
        body: { name, type: "DISK_IMAGE", description: `temporary image of ${definition.name} disk ${disk.key} made by vmshift move; deleted when the copy ends`, source: { $objectType: "vmm.v4.content.VmDiskSource", extId: diskExtId, vmExtId: definition.id } },
        operation: "move.openDisk",
        subject,
        signal: ctx.signal,
      });
      let task: Task | undefined;
      try {
        task = await waitTask(created.data.data.extId, ctx, imageTimeoutMs, "move.openDisk", subject);
      } catch (error) {
        // Cancelled or cut off while Prism makes the image: it may still appear; delete it once it does.
        await abandonImage(created.data.data.extId, name, subject).catch(() => {});
        throw error;
      }
      if (!task) await abandonImage(created.data.data.extId, name, subject).catch(() => {});
      const imageId = task ? await createdImage(task, name, { signal: new AbortController().signal }, subject).catch(() => undefined) : undefined;
      if (task?.status !== "SUCCEEDED" || !imageId) {
        if (imageId) await deleteImage(imageId, subject).catch(() => {});
        throw fail(task ? "MIGRATION_FAILED" : "TIMEOUT", task ? (task.status === "SUCCEEDED" ? `image ${name} was made but cannot be found` : `creating an image of disk ${disk.key} failed: ${taskError(task)}`) : `creating an image of disk ${disk.key} did not finish within ${imageTimeoutMs} ms`, "move.openDisk", subject);
      }
      const dir = mkdtempSync(join(options.stagingDir ?? tmpdir(), "vmshift-nutanix-"));
      const cleanup = async () => {
        try {
          await deleteImage(imageId, subject);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      };
      try {
        const file = join(dir, "disk");
        await files.download(prismPath`/api/vmm/v4.0/content/images/${imageId}/file`, file, ctx);
        return { location: file, format: sniffFormat(file), close: cleanup };
      } catch (error) {
        await cleanup().catch(() => {});
        throw error;
      }
    },

    async stop(vmId, { shutdownTimeoutMs }, ctx) {
      if ((await powerState(vmId, ctx)) === "stopped") return;
      const shutdown = await act(vmId, "shutdown", ctx, "move.stopSource");
      const t = await waitTask(shutdown, ctx, shutdownTimeoutMs, "move.stopSource", vmId);
      if (t?.status === "SUCCEEDED" && (await powerState(vmId, ctx)) === "stopped") return;
      const off = await waitTask(await act(vmId, "power-off", ctx, "move.stopSource"), ctx, 300_000, "move.stopSource", vmId);
      if (off?.status !== "SUCCEEDED" && (await powerState(vmId, ctx)) !== "stopped") throw fail("MIGRATION_FAILED", `powering ${vmId} off failed: ${off ? taskError(off) : "the task did not finish"}`, "move.stopSource", vmId);
    },

    async start(vmId, ctx) {
      if ((await powerState(vmId, ctx)) === "running") return;
      const t = await waitTask(await act(vmId, "power-on", ctx, "move.startSource"), ctx, 300_000, "move.startSource", vmId);
      if (t?.status !== "SUCCEEDED" && (await powerState(vmId, ctx)) !== "running") throw fail("MIGRATION_FAILED", `powering ${vmId} on failed: ${t ? taskError(t) : "the task did not finish"}`, "move.startSource", vmId);
    },

    powerState,
  };
}

/** qcow2 when the file starts with its magic (`QFI\xfb`), else raw: what Prism sent decides, not what the VM said. */
function sniffFormat(file: string): DiskFormat {
  const head = Buffer.alloc(4);
  const fd = openSync(file, "r");
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  return head.readUInt32BE(0) === 0x514649fb ? "qcow2" : "raw";
}
