/** The smallest useful adapter: inventory only. Everything absent is NOT_SUPPORTED by the client. */
import type { CapabilityTable, HypervisorAdapter, Vm } from "@vmshift/core";

// #region docs
import { CAPABILITY_NAMES, VmshiftError, supported, unsupported } from "@vmshift/core";

const inventory: Vm[] = [{ id: "vm-a", name: "vm-a", powerState: "running", hostId: "node-1" }];

/** Every capability decided: unsupported unless listed. */
export const tinyCapabilities = Object.fromEntries(
  CAPABILITY_NAMES.map((c) => [c, c === "vm.list" || c === "vm.get" ? supported() : unsupported("inventory-only adapter")]),
) as CapabilityTable;

export const tinyAdapter: HypervisorAdapter = {
  name: "tiny",
  capabilities: tinyCapabilities,
  async listVms() {
    return { items: inventory };
  },
  async getVm(vmId) {
    const vm = inventory.find((v) => v.id === vmId);
    if (!vm) throw new VmshiftError("NOT_FOUND", `no VM ${vmId}`, { adapter: "tiny" });
    return vm;
  },
};
// #endregion docs

export async function main(): Promise<{ vms: Vm[]; startError: string }> {
  const { VmshiftClient } = await import("@vmshift/core");
  const client = new VmshiftClient(tinyAdapter);
  const vms = await client.listVms().all();
  const startError = await client.startMigration({ vmId: "vm-a" }).then(() => "none", (e: VmshiftError) => e.code);
  return { vms, startError };
}
