/** Listing and lookup scenarios. */
import type { Page, Vm } from "@vmshift/core";
import { type Scenario, expect, expectError, expectVmAt } from "../scenario.ts";

export const inventoryScenarios: readonly Scenario[] = [
  {
    id: "inventory.list-paged",
    title: "listVms pages through the whole inventory, and a cursor resumes where it left off",
    requires: ["vm.list"],
    async run(context) {
      const { client, subjects, meter } = context;
      const pages: Page<Vm>[] = await meter.measure("listing VMs page by page", (p) => ({ listPages: p?.length ?? 0 }), async () => {
        const out: Page<Vm>[] = [];
        for await (const page of client.listVms({ pageSize: subjects.pageSize })) out.push(page);
        return out;
      });
      const ids = pages.flatMap((p) => p.items.map((v) => v.id));
      expect(pages.length >= 2, `expected several pages with pageSize ${subjects.pageSize}, got ${pages.length}`);
      expect(ids.length >= subjects.minVmCount, `expected at least ${subjects.minVmCount} VMs, got ${ids.length}`);
      expect(new Set(ids).size === ids.length, "a VM appeared on two pages");
      expect(ids.includes(subjects.liveVm), `the listing misses ${subjects.liveVm}`);
      for (const page of pages) expect(page.items.length <= subjects.pageSize, `a page held ${page.items.length} items, more than pageSize ${subjects.pageSize}`);
      const cursor = pages[0]!.nextCursor;
      expect(cursor !== undefined, "the first page has no cursor");
      const rest = await meter.measure("resuming the listing from a cursor", (p) => ({ listPages: p?.length ?? 0 }), async () => {
        const out: Page<Vm>[] = [];
        for await (const page of client.listVms({ pageSize: subjects.pageSize, cursor })) out.push(page);
        return out;
      });
      const resumed = rest.flatMap((p) => p.items).length;
      expect(resumed === ids.length - pages[0]!.items.length, `resuming from the first cursor gave ${resumed} VMs, expected ${ids.length - pages[0]!.items.length}`);
      const listed = pages.flatMap((p) => p.items).find((v) => v.id === subjects.liveVm)!;
      await expectVmAt(context, subjects.liveVm, { ...(listed.hostId === undefined ? {} : { hostId: listed.hostId }), powerState: listed.powerState }, "as the listing says");
    },
  },
  {
    id: "inventory.get-vm",
    title: "getVm returns the VM; a missing id is NOT_FOUND",
    requires: ["vm.get"],
    async run(context) {
      const { client, subjects, meter } = context;
      const vm = await meter.measure("getVm", { getVm: 1 }, () => client.getVm(subjects.liveVm));
      expect(vm.id === subjects.liveVm, `getVm returned ${vm.id}`);
      expect(vm.powerState === "running", `the live VM is ${vm.powerState}, expected running`);
      expect(typeof vm.hostId === "string", "the running VM has no hostId");
      const error = await meter.measure("getVm of a missing VM", { getVm: 1 }, () => expectError(() => client.getVm(subjects.missingVmId), "getVm of a missing VM"));
      expect(error.code === "NOT_FOUND", `expected NOT_FOUND, got ${error.code}`);
      await expectVmAt(context, subjects.liveVm, { ...(vm.hostId === undefined ? {} : { hostId: vm.hostId }), powerState: "running" }, "as getVm says");
    },
  },
  {
    id: "inventory.hosts",
    title: "listHosts includes the target host, schedulable",
    requires: ["host.list"],
    async run(context) {
      const { client, subjects, meter } = context;
      const pages = await meter.measure("listing hosts", (p) => ({ listPages: p?.length ?? 0 }), async () => {
        const out = [];
        for await (const page of client.listHosts()) out.push(page);
        return out;
      });
      const hosts = pages.flatMap((p) => p.items);
      const target = hosts.find((h) => h.id === subjects.targetHost);
      expect(target, `listHosts misses ${subjects.targetHost}`);
      expect(target.schedulable, `${subjects.targetHost} is not schedulable`);
      expect(new Set(hosts.map((h) => h.id)).size === hosts.length, "a host is listed twice");
      const where = await expectVmAt(context, subjects.liveVm, { notHostId: subjects.targetHost, powerState: "running" }, "before any migration");
      if (where?.hostId !== undefined) expect(hosts.some((h) => h.id === where.hostId), `listHosts misses ${where.hostId}, where the platform runs ${subjects.liveVm}`);
    },
  },
];
