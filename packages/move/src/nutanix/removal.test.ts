/**
 * The Nutanix source's removal against a recording test double of the Prism requester (one layer:
 * the transport): the VM's ETag goes into If-Match with a fresh NTNX-Request-Id, a 412 (stale
 * ETag, the transport's retryable CONFLICT) re-reads the VM and sends again, a running VM is
 * refused before any DELETE, a failed task is the removal's error. Against prism-server:
 * adapters-conformance/prism-server/test/move-removal.test.ts.
 */
import { VmshiftError } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import { nutanixSourceRemoval } from "./removal.ts";
import type { PrismRequest, PrismRequester } from "./source.ts";

const ctx = () => ({ signal: AbortSignal.timeout(10_000) });

function fakePrism(options: { power?: string; staleTimes?: number; taskStatus?: string }) {
  const sent: PrismRequest[] = [];
  let version = 1;
  let stale = options.staleTimes ?? 0;
  const api: PrismRequester = {
    async request<T>(r: PrismRequest) {
      sent.push(r);
      if (r.method === "GET" && r.path.includes("/tasks/")) return { status: 200, data: { data: { status: options.taskStatus ?? "SUCCEEDED", errorMessages: [{ message: "VM is locked" }] } } as T };
      if (r.method === "GET") return { status: 200, etag: `etag-${version}`, data: { data: { name: "nx", powerState: options.power ?? "OFF", disks: [{ diskAddress: { busType: "SCSI", index: 0 }, backingInfo: { diskExtId: "d-1" } }] } } as T };
      if (stale > 0) {
        stale--;
        version++;
        throw new VmshiftError("CONFLICT", "Invalid eTag header", { retryable: true });
      }
      return { status: 202, data: { data: { extId: "task-1" } } as T };
    },
  };
  return { api, sent };
}

describe("Nutanix source removal (DELETE of the VM)", () => {
  it("sends the VM's ETag as If-Match with a request id, waits for the task, names the deleted disks", async () => {
    const { api, sent } = fakePrism({});
    const what = await nutanixSourceRemoval(api, { pollMs: 1 }).removeVm("vm-1", ctx());
    const del = sent.filter((r) => r.method === "DELETE");
    expect(del).toHaveLength(1);
    expect(del[0]!.path).toBe("/api/vmm/v4.0/ahv/config/vms/vm-1");
    expect(del[0]!.headers).toMatchObject({ "If-Match": "etag-1", "NTNX-Request-Id": expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(what).toContain("SCSI.0 (d-1)");
  });

  it("a stale ETag (412) is re-read and retried with the new one", async () => {
    const { api, sent } = fakePrism({ staleTimes: 1 });
    await nutanixSourceRemoval(api, { pollMs: 1 }).removeVm("vm-1", ctx());
    expect(sent.filter((r) => r.method === "DELETE").map((r) => r.headers?.["If-Match"])).toEqual(["etag-1", "etag-2"]);
  });

  it("gives up after three stale ETags", async () => {
    const { api, sent } = fakePrism({ staleTimes: 5 });
    await expect(nutanixSourceRemoval(api, { pollMs: 1 }).removeVm("vm-1", ctx())).rejects.toMatchObject({ code: "CONFLICT" });
    expect(sent.filter((r) => r.method === "DELETE")).toHaveLength(3);
  });

  it("refuses a running VM without sending a DELETE; a failed task is the error", async () => {
    const on = fakePrism({ power: "ON" });
    await expect(nutanixSourceRemoval(on.api).removeVm("vm-1", ctx())).rejects.toMatchObject({ code: "INVALID_STATE" });
    expect(on.sent.some((r) => r.method === "DELETE")).toBe(false);
    const failed = fakePrism({ taskStatus: "FAILED" });
    await expect(nutanixSourceRemoval(failed.api, { pollMs: 1 }).removeVm("vm-1", ctx())).rejects.toThrow(/VM is locked/);
  });
});
