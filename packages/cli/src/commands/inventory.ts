/** `vmshift vms` and `vmshift hosts`: inventory tables (NDJSON with `--json`). */
import type { Command, DescribedOptionTable } from "../command.ts";
import { flagNumber, flagString } from "../command.ts";
import { bytes, table } from "../format.ts";
import { EXIT } from "../io.ts";

export const vmsCommand: Command = {
  name: "vms",
  summary: "list VMs",
  usage: "vms [options]",
  options: {
    host: { type: "string", value: "host", description: "only the VMs on this host" },
    scope: { type: "string", value: "scope", description: "only the VMs in this scope: a KubeVirt namespace, a vSphere datacenter, … (default: all)" },
    "page-size": { type: "string", value: "n", description: "VMs per request to the platform (default: the adapter's page size)" },
  } satisfies DescribedOptionTable,
  async run(ctx) {
    const host = flagString(ctx.flags, "host");
    const scope = flagString(ctx.flags, "scope");
    const pageSize = flagNumber(ctx.flags, "page-size");
    const client = await ctx.client();
    const iterator = client.listVms({ ...(host ? { hostId: host } : {}), ...(scope ? { scope } : {}), ...(pageSize ? { pageSize } : {}) });
    if (ctx.json) {
      // Page by page, a plain loop within a page: no promise per VM, nothing kept after its line.
      for await (const page of iterator) for (const vm of page.items) ctx.io.stdout.write(`${JSON.stringify(vm)}\n`);
      return EXIT.ok;
    }
    const rows: string[][] = [];
    for await (const vm of iterator.items()) {
      rows.push([vm.id, vm.powerState, vm.hostId ?? "-", vm.cpus === undefined ? "-" : String(vm.cpus), vm.memoryBytes === undefined ? "-" : bytes(vm.memoryBytes), vm.liveMigratable === undefined ? "?" : vm.liveMigratable ? "yes" : "no"]);
    }
    ctx.io.stdout.write(`${table(["VM", "STATE", "HOST", "CPUS", "MEMORY", "LIVE"], rows)}\n`);
    return EXIT.ok;
  },
};

export const hostsCommand: Command = {
  name: "hosts",
  summary: "list hosts",
  usage: "hosts [options]",
  options: { cluster: { type: "string", value: "cluster", description: "only the hosts of this cluster" } } satisfies DescribedOptionTable,
  async run(ctx) {
    const cluster = flagString(ctx.flags, "cluster");
    const client = await ctx.client();
    const hosts = await client.listHosts(cluster ? { clusterId: cluster } : {}).all();
    if (ctx.json) {
      for (const h of hosts) ctx.io.stdout.write(`${JSON.stringify(h)}\n`);
      return EXIT.ok;
    }
    const rows = hosts.map((h) => [
      h.id,
      h.clusterId ?? "-",
      h.connectionState,
      h.maintenance ? "yes" : "no",
      h.schedulable ? "yes" : "no",
      h.memoryBytes === undefined ? "-" : bytes(h.memoryBytes),
      h.freeMemoryBytes === undefined ? "-" : bytes(h.freeMemoryBytes),
    ]);
    ctx.io.stdout.write(`${table(["HOST", "CLUSTER", "CONNECTION", "MAINTENANCE", "SCHEDULABLE", "MEMORY", "FREE"], rows)}\n`);
    return EXIT.ok;
  },
};
