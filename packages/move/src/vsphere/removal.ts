/**
 * Removing a moved VM from vSphere (`MoveRequest.removeSource`): `Destroy_Task` on the powered-off
 * VirtualMachine, waited for through the client's task waiting. vSphere's documented semantics of
 * Destroy on a VM: it is removed from the inventory AND its files are deleted from the datastore
 * (configuration, NVRAM, logs and its virtual disks, except disks another VM also uses). There is
 * no "keep the disks" variant of Destroy (UnregisterVM keeps the files but leaves an orphaned
 * directory nobody manages), so on vSphere removing the source deletes its disks: the moved copy
 * on the target is the VM from then on. The result names the disk files it deleted.
 *
 * A VM that is not powered off is refused (Destroy_Task would fail with InvalidPowerState, and
 * the mover only removes after the cutover stopped it).
 */
import { VmshiftError } from "@vmshift/core";
import type { SourceRemoval } from "../removal.ts";
import type { VimRef, VsphereMoveApi } from "./api.ts";
import { devicesOf, vimType } from "./definition.ts";

function text(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && "$value" in v) return text((v as { $value: unknown }).$value);
  return undefined;
}

/** The vSphere source's removal: Destroy_Task (the VM and its files). */
export function vsphereSourceRemoval(api: VsphereMoveApi): SourceRemoval {
  return {
    async removeVm(vmId, ctx) {
      const vm: VimRef = { type: "VirtualMachine", value: vmId };
      const props = await api.properties(vm, ["name", "runtime.powerState", "config.hardware.device"], ctx.signal);
      const power = text(props["runtime.powerState"]);
      if (power !== "poweredOff") throw new VmshiftError("INVALID_STATE", `${vmId} is ${power ?? "in an unknown power state"}; only a powered-off VM is removed`, { adapter: "vsphere", operation: "move.removeSource", subject: vmId });
      const disks = devicesOf(props["config.hardware.device"])
        .filter((d) => vimType(d) === "VirtualDisk")
        .map((d) => text((d["backing"] as Record<string, unknown> | undefined)?.["fileName"]))
        .filter((f): f is string => !!f);
      const task = await api.invoke("Destroy_Task", vm, [], ctx.signal);
      const type = task && typeof task === "object" ? (task as { attributes?: Record<string, string> }).attributes?.["type"] : undefined;
      const value = text(task);
      if (!type || !value) throw new VmshiftError("MIGRATION_FAILED", `Destroy_Task on ${vmId} returned no task`, { adapter: "vsphere", operation: "move.removeSource", subject: vmId });
      await api.waitTask({ type, value }, ctx.signal);
      return `VM ${text(props["name"]) ?? vmId} (${vmId}) destroyed: removed from the inventory with its files; disks deleted: ${disks.join(", ") || "none"}`;
    },
  };
}
