/**
 * The content library of the Prism-like server (`/api/vmm/v4.0/content/images`): images made from
 * a VM disk (`VmDiskSource`) by an asynchronous task that copies the disk's file, their download
 * (`…/images/{imageExtId}/file`, the real bytes, streamed) and their deletion (a task). Request
 * shapes and error envelopes follow spec/v4-content-images.json.
 */
import { statSync } from "node:fs";
import type { DiskStore, SimDisk, SimImage } from "./disks.ts";
import { ApiError, type PrismSim } from "./sim.ts";
import type { SimVm } from "./state.ts";
import type { SimTask } from "./tasks.ts";

/** The `rel` the server reports for an image in a task's `entitiesAffected` (an assumption: the spec does not list rels). */
export const IMAGE_REL = "vmm:content:image";

/** Fault knobs of the content library. */
export interface ImageFaults {
  /** The next image creation from a disk of these VMs fails while copying. */
  failNextCreate: Set<string>;
}

/** Images over the server's disk files. */
export class SimImages {
  readonly faults: ImageFaults = { failNextCreate: new Set() };
  readonly #sim: PrismSim;
  readonly #store: DiskStore;
  readonly #runMs: number;
  #n = 0;

  constructor(sim: PrismSim, store: DiskStore, runMs: number) {
    this.#sim = sim;
    this.#store = store;
    this.#runMs = runMs;
  }

  get all(): readonly SimImage[] {
    return this.#sim.inv.images;
  }

  /** The image, or 404 `VMM-20005`. */
  get(extId: string): SimImage {
    const image = this.#sim.inv.images.find((i) => i.extId === extId);
    if (!image) throw new ApiError(404, "VMM-20005", "Failed to perform the operation as the backend service could not find the entity.");
    return image;
  }

  /** Size of the image's file, bytes (what the download sends). */
  fileSize(image: SimImage): number {
    return statSync(image.file).size;
  }

  /** Validates a CreateImage body and starts the task that copies the VM disk into a new image. */
  create(body: Record<string, unknown>): SimTask {
    const name = body["name"];
    if (typeof name !== "string" || name.trim() === "") throw new ApiError(400, "VMM-10400", "name is required");
    const type = body["type"];
    if (type !== "DISK_IMAGE" && type !== "ISO_IMAGE") throw new ApiError(400, "VMM-10400", "type is required and must be DISK_IMAGE or ISO_IMAGE");
    const source = body["source"] as Record<string, unknown> | undefined;
    const kind = source?.["$objectType"];
    if (kind !== "vmm.v4.content.VmDiskSource") {
      throw new ApiError(400, "VMM-10400", kind === "vmm.v4.content.UrlSource" || kind === "vmm.v4.content.ObjectsLiteSource" ? `source ${String(kind)} is not served by this test server (only VmDiskSource)` : "source is required: a vmm.v4.content.VmDiskSource");
    }
    const diskId = source!["extId"];
    if (typeof diskId !== "string" || diskId === "") throw new ApiError(400, "VMM-10400", "source.extId (the VM disk's extId) is required");
    const vmId = source!["vmExtId"];
    if (vmId !== undefined && typeof vmId !== "string") throw new ApiError(400, "VMM-10400", "source.vmExtId must be a string");
    const { vm, disk } = this.#findDisk(diskId, vmId);
    if (!disk.file || !disk.format) throw new ApiError(400, "VMM-10400", `disk ${disk.extId} is backed by volume group ${disk.volumeGroupExtId ?? "?"}; an image needs a VM disk`);
    const fail = this.faults.failNextCreate.delete(vm.extId);
    const extId = `1a9e0000-0000-4000-8000-${(++this.#n).toString(16).padStart(12, "0")}`;
    let created: SimImage | undefined;
    const description = body["description"];
    return this.#sim.engine.create({
      operation: "CreateImage",
      operationDescription: "Create image",
      vmExtId: vm.extId,
      clusterExtId: vm.clusterExtId,
      queuedMs: this.#sim.timings.queuedMs,
      runMs: this.#runMs,
      entities: () => (created ? [{ extId: created.extId, rel: IMAGE_REL }] : []),
      ...(fail ? { failAtPercent: 50, failMessage: "Failed to create the image: the copy of the VM disk was interrupted" } : {}),
      onSuccess: () => {
        if (!this.#sim.inv.vms.includes(vm) || !vm.hardware?.disks.includes(disk)) return `the source disk ${disk.extId} no longer exists`;
        const file = this.#store.copy(disk.file!, `image-${extId}`, disk.format!);
        created = {
          extId, name, type, sizeBytes: disk.sizeBytes, file, format: disk.format!, clusterExtId: vm.clusterExtId, createTime: new Date(this.#sim.now()).toISOString(), sourceVmExtId: vm.extId, sourceDiskExtId: disk.extId,
          ...(typeof description === "string" ? { description } : {}),
        };
        this.#sim.inv.images.push(created);
        return undefined;
      },
    });
  }

  /** Starts the task that deletes the image and its file. */
  delete(extId: string): SimTask {
    const image = this.get(extId);
    return this.#sim.engine.create({
      operation: "DeleteImageById",
      operationDescription: "Delete image",
      vmExtId: image.sourceVmExtId,
      clusterExtId: image.clusterExtId,
      queuedMs: this.#sim.timings.queuedMs,
      runMs: Math.min(this.#runMs, 100),
      entities: () => [{ extId: image.extId, rel: IMAGE_REL }],
      onSuccess: () => {
        const at = this.#sim.inv.images.indexOf(image);
        if (at >= 0) this.#sim.inv.images.splice(at, 1);
        this.#store.remove(image.file);
        return undefined;
      },
    });
  }

  #findDisk(diskId: string, vmId: string | undefined): { vm: SimVm; disk: SimDisk } {
    const vms = vmId === undefined ? this.#sim.inv.vms : [this.#sim.vm(vmId)];
    for (const vm of vms) {
      const disk = vm.hardware?.disks.find((d) => d.extId === diskId);
      if (disk) return { vm, disk };
    }
    throw new ApiError(404, "VMM-20005", `VM disk ${diskId} not found${vmId === undefined ? "" : ` in VM ${vmId}`}`);
  }
}
