/** `vmshift vms` and `vmshift hosts`: inventory tables (NDJSON with `--json`). */
import type { Command } from "../command.ts";
import { flagNumber, flagString } from "../command.ts";
import { bytes, table } from "../format.ts";
import { EXIT } from "../io.ts";

export const vmsCommand: Command = {
  name: "vms",
  summary: "list VMs",
  usage: "vms [--host <host>] [--scope <namespace|datacenter>] [--page-size n]",
  options: { host: { type: "string" }, scope: { type: "string" }, "page-size": { type: "string" } },
  async run(ctx) {
    const client = await ctx.client();
    const host = flagString(ctx.flags, "host");
    const scope = flagString(ctx.flags, "scope");
    const pageSize = flagNumber(ctx.flags, "page-size");
    const iterator = client.listVms({ ...(host ? { hostId: host } : {}), ...(scope ? { scope } : {}), ...(pageSize ? { pageSize } : {}) });
    if (ctx.json) {
      for await (const vm of iterator.items()) ctx.io.stdout.write(`${JSON.stringify(vm)}\n`);
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
  usage: "hosts [--cluster <cluster>]",
  options: { cluster: { type: "string" } },
  async run(ctx) {
    const client = await ctx.client();
    const cluster = flagString(ctx.flags, "cluster");
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
