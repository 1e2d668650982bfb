/**
 * Removing a moved VM from Nutanix AHV (`MoveRequest.removeSource`), over the v4 VMM API:
 * `DELETE /api/vmm/v4.0/ahv/config/vms/{extId}` (VmApi.delete_vm_by_id), which the v4 parameter
 * tables mark with `If-Match` (the VM's ETag from its GET) and `NTNX-Request-Id` both required;
 * it answers 202 with a task, awaited here. A stale ETag (412: the VM changed between the read and
 * the delete) is re-read and retried, at most {@link ETAG_ATTEMPTS} times.
 *
 * What goes: on AHV a VM's disks (VmDisks) belong to the VM, and deleting the VM deletes them;
 * the v4 API has no "keep the disks" variant. So on Nutanix removing the source deletes its
 * disks: the moved copy on the target is the VM from then on. Volume groups attached to the VM are
 * separate entities and stay. The result names the disks deleted with it. A VM that is not
 * powered off is refused (the mover removes only after the cutover stopped it).
 */
import { randomUUID } from "node:crypto";
import { VmshiftError, isVmshiftError, pause } from "@vmshift/core";
import type { SourceRemoval } from "../removal.ts";
import type { SpiContext } from "../spi.ts";
import { prismPath } from "./path.ts";
import type { PrismRequester } from "./source.ts";
import type { V4Vm } from "./vm-definition.ts";

/** How many times a delete refused for a stale ETag is re-read and sent again. */
const ETAG_ATTEMPTS = 3;

interface Task {
  readonly status: string;
  readonly errorMessages?: readonly { readonly message?: string }[];
  readonly legacyErrorMessage?: string;
}

/** The Nutanix source's removal: DELETE of the VM (with its VM disks). */
export function nutanixSourceRemoval(api: PrismRequester, options: { readonly pollMs?: number; readonly timeoutMs?: number } = {}): SourceRemoval {
  const pollMs = options.pollMs ?? 250;
  const timeoutMs = options.timeoutMs ?? 600_000;
  const fail = (code: "MIGRATION_FAILED" | "INVALID_STATE" | "TIMEOUT", message: string, vmId: string) => new VmshiftError(code, message, { adapter: "nutanix", operation: "move.removeSource", subject: vmId });

  async function waitTask(taskId: string, vmId: string, ctx: SpiContext): Promise<Task> {
    for (const until = Date.now() + timeoutMs; ; await pause(pollMs, ctx.signal)) {
      const r = await api.request<{ data: Task }>({ method: "GET", path: prismPath`/api/prism/v4.0/config/tasks/${taskId}`, operation: "move.removeSource", subject: vmId, signal: ctx.signal });
      if (r.data.data.status === "SUCCEEDED" || r.data.data.status === "FAILED" || r.data.data.status === "CANCELED") return r.data.data;
      if (Date.now() >= until) throw fail("TIMEOUT", `deleting ${vmId} did not finish within ${timeoutMs} ms (task ${taskId})`, vmId);
    }
  }

  return {
    async removeVm(vmId, ctx) {
      for (let attempt = 1; ; attempt++) {
        const got = await api.request<{ data: V4Vm }>({ method: "GET", path: prismPath`/api/vmm/v4.0/ahv/config/vms/${vmId}`, operation: "move.removeSource", subject: vmId, signal: ctx.signal });
        const vm = got.data.data;
        if (vm.powerState !== "OFF") throw fail("INVALID_STATE", `${vmId} is ${vm.powerState ?? "in an unknown power state"}; only a powered-off VM is removed`, vmId);
        if (!got.etag) throw fail("MIGRATION_FAILED", `Prism sent no ETag for ${vmId}; the delete needs it as If-Match`, vmId);
        const disks = (vm.disks ?? []).filter((d) => d.backingInfo?.diskExtId).map((d) => `${d.diskAddress?.busType ?? "disk"}.${d.diskAddress?.index ?? "?"} (${d.backingInfo!.diskExtId})`);
        let taskId: string;
        try {
          const r = await api.request<{ data: { extId: string } }>({ method: "DELETE", path: prismPath`/api/vmm/v4.0/ahv/config/vms/${vmId}`, headers: { "If-Match": got.etag, "NTNX-Request-Id": randomUUID() }, operation: "move.removeSource", subject: vmId, signal: ctx.signal });
          taskId = r.data.data.extId;
        } catch (error) {
          // 412: the VM changed since it was read; read it again (a bounded number of times).
          if (isVmshiftError(error) && error.code === "CONFLICT" && error.retryable && attempt < ETAG_ATTEMPTS) continue;
          throw error;
        }
        const task = await waitTask(taskId, vmId, ctx);
        if (task.status !== "SUCCEEDED") throw fail("MIGRATION_FAILED", `deleting ${vmId} failed: ${task.errorMessages?.map((m) => m.message).filter(Boolean).join("; ") || task.legacyErrorMessage || task.status}`, vmId);
        return `VM ${vm.name ?? vmId} (${vmId}) deleted with its VM disks: ${disks.join(", ") || "none"}`;
      }
    },
  };
}
