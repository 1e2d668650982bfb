/** Listing and lookup scenarios. */
import { type Scenario, expect, expectError } from "../scenario.ts";

export const inventoryScenarios: readonly Scenario[] = [
  {
    id: "inventory.list-paged",
    title: "listVms pages through the whole inventory, and a cursor resumes where it left off",
    requires: ["vm.list"],
    async run({ client, subjects }) {
      const pages = [];
      for await (const page of client.listVms({ pageSize: subjects.pageSize })) pages.push(page);
      const ids = pages.flatMap((p) => p.items.map((v) => v.id));
      expect(pages.length >= 2, `expected several pages with pageSize ${subjects.pageSize}, got ${pages.length}`);
      expect(ids.length >= subjects.minVmCount, `expected at least ${subjects.minVmCount} VMs, got ${ids.length}`);
      expect(new Set(ids).size === ids.length, "a VM appeared on two pages");
      expect(ids.includes(subjects.liveVm), `the listing misses ${subjects.liveVm}`);
      for (const page of pages) expect(page.items.length <= subjects.pageSize, `a page held ${page.items.length} items, more than pageSize ${subjects.pageSize}`);
      const cursor = pages[0]!.nextCursor;
      expect(cursor !== undefined, "the first page has no cursor");
      const rest = await client.listVms({ pageSize: subjects.pageSize, cursor }).all();
      expect(rest.length === ids.length - pages[0]!.items.length, `resuming from the first cursor gave ${rest.length} VMs, expected ${ids.length - pages[0]!.items.length}`);
    },
  },
  {
    id: "inventory.get-vm",
    title: "getVm returns the VM; a missing id is NOT_FOUND",
    requires: ["vm.get"],
    async run({ client, subjects }) {
      const vm = await client.getVm(subjects.liveVm);
      expect(vm.id === subjects.liveVm, `getVm returned ${vm.id}`);
      expect(vm.powerState === "running", `the live VM is ${vm.powerState}, expected running`);
      expect(typeof vm.hostId === "string", "the running VM has no hostId");
      const error = await expectError(() => client.getVm(subjects.missingVmId), "getVm of a missing VM");
      expect(error.code === "NOT_FOUND", `expected NOT_FOUND, got ${error.code}`);
    },
  },
  {
    id: "inventory.hosts",
    title: "listHosts includes the target host, schedulable",
    requires: ["host.list"],
    async run({ client, subjects }) {
      const hosts = await client.listHosts().all();
      const target = hosts.find((h) => h.id === subjects.targetHost);
      expect(target, `listHosts misses ${subjects.targetHost}`);
      expect(target.schedulable, `${subjects.targetHost} is not schedulable`);
      expect(new Set(hosts.map((h) => h.id)).size === hosts.length, "a host is listed twice");
    },
  },
];
