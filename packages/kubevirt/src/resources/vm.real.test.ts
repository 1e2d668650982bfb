/** toVm on a VM shaped as Harvester writes it (test/fixtures/modelled.harvester-resources, see SOURCE.md). */
import { describe, expect, it } from "vitest";
import { loadFixture } from "../../test/load-fixture.ts";
import type { KvVirtualMachine, KvVmi } from "../types.ts";
import { toVm } from "./vm.ts";

const MI = 2 ** 20;
const harvesterVm = () => loadFixture<KvVirtualMachine>("modelled.harvester-resources", "vm.yaml");

describe("toVm: configured size, not scheduling requests", () => {
  it("a 2-core VM with memory.guest 3996Mi is 2 CPUs and 3996Mi (not 0.125 CPU and 2730Mi of requests)", () => {
    expect(toVm(harvesterVm(), undefined)).toMatchObject({ cpus: 2, memoryBytes: 3996 * MI });
  });

  it("reads the running VMI's spec when there is one", () => {
    const vm = harvesterVm();
    const vmi = { metadata: { name: "ubuntu-2c4g", namespace: "default" }, spec: { ...vm.spec.template!.spec!, domain: { ...vm.spec.template!.spec!.domain, cpu: { sockets: 2, cores: 2, threads: 2 } } }, status: { phase: "Running", nodeName: "n1" } } as KvVmi;
    expect(toVm(vm, vmi)).toMatchObject({ cpus: 8, memoryBytes: 3996 * MI, powerState: "running", hostId: "n1" });
  });

  it("without a topology: the CPU limit (rounded up), else the request, else 1; without memory.guest: the memory request", () => {
    const bare = (resources: Record<string, unknown>): KvVirtualMachine => ({ metadata: { name: "v", namespace: "default" }, spec: { template: { spec: { domain: { devices: {}, resources } } } } }) as KvVirtualMachine;
    expect(toVm(bare({ limits: { cpu: "1500m" }, requests: { cpu: "500m", memory: "1Gi" } }), undefined)).toMatchObject({ cpus: 2, memoryBytes: 2 ** 30 });
    expect(toVm(bare({ requests: { cpu: "3" } }), undefined)).toMatchObject({ cpus: 3 });
    const none = toVm(bare({}), undefined);
    expect(none.cpus).toBe(1);
    expect(none.memoryBytes).toBeUndefined();
  });
});
