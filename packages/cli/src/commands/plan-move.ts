/**
 * `vmshift plan move <selector> --from <profile> --to <profile> --downtime-budget <ms>`: a
 * reviewable fleet plan whose steps are moves (`@vmshift/move`'s `planMoves`: cold where cold's
 * downtime fits the budget, else warm), printed as text or, with `--json`, as the plan line
 * `vmshift plan run` reads. And the move runner `plan run` hands to the executor for such plans.
 * Supported today: libvirt sources and libvirt targets (as `vmshift move`).
 */
import type { ExecuteOptions, FleetPlan, VmshiftClient } from "@vmshift/core";
import { type CommandContext, type DescribedOptionTable, UsageError, flagNumber, flagString } from "../command.ts";
import { EXIT, type ExitCode } from "../io.ts";
import { connect } from "../platforms.ts";
import { loadProfile } from "../profiles.ts";
import { renderPlan } from "./fleet.ts";
import { libvirtHost, moveMaps } from "./move-sides.ts";

/** Flags of `plan move` (`--to` and `--bandwidth` are the plan command's own). */
export const PLAN_MOVE_OPTIONS = {
  from: { type: "string", value: "profile", description: "plan move: profile of the platform the VMs are on (libvirt today)" },
  "from-host": { type: "string", value: "host", description: "plan move: the source host's id when the --from profile has several" },
  "to-host": { type: "string", value: "host", description: "plan move: the target host's id when the --to profile has several" },
  "network-map": { type: "string", multiple: true, value: "src=dst", description: "plan move: map a source network to a target network (repeatable)" },
  "storage-map": { type: "string", multiple: true, value: "src=dst[:format]", description: "plan move: map a source pool to a target pool, optionally with the format (repeatable)" },
  "downtime-budget": { type: "string", value: "ms", description: "plan move: most downtime a move may cost: cold where it fits, else warm (required)" },
  "change-rate": { type: "string", value: "B/s", description: "plan move: how fast the VMs' disks change, bytes per second (default 0; measure it from a warm move's passes)" },
  "max-passes": { type: "string", value: "n", description: "plan move: warm delta passes at most (default 5)" },
  "converged-bytes": { type: "string", value: "bytes", description: "plan move: a warm delta pass that copied at most this much ends the passes (default 16 MiB)" },
  "shutdown-timeout": { type: "string", value: "ms", description: "plan move: graceful shutdown of each source before it is powered off, ms (default 30000)" },
  "pass-cost": { type: "string", value: "ms", description: "plan move: fixed cost of each warm pass beyond its copy (export, change listing), ms, for the planner (default 0; the lab measured 2.7–3.6 s)" },
  "start-cost": { type: "string", value: "ms", description: "plan move: time the target takes to start the moved VM, ms, for the planner (default 0; the lab measured 1.2–4.1 s)" },
} as const satisfies DescribedOptionTable;

/** Bandwidth the planner assumes without --bandwidth: the cold qemu-img copy measured in the lab (bench/move-warm.ts), rounded down. */
const DEFAULT_BANDWIDTH = 64 * 1024 * 1024;

/** Whether this `plan` invocation is `plan move …` (a VM named `move` is still `plan move --to <host>`, without --from). */
export function isPlanMove(ctx: CommandContext): boolean {
  return ctx.positionals[0] === "move" && ctx.flags["from"] !== undefined;
}

/** `web-*,db-1`: names or shell-style patterns (`*`, `?`), comma-separated. */
function selectorMatcher(selector: string): (name: string) => boolean {
  const patterns = selector.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (patterns.length === 0) throw new UsageError("the selector names no VM (names or patterns like web-*, comma-separated)");
  const res = patterns.map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`));
  return (name) => res.some((r) => r.test(name));
}

function load(ctx: CommandContext, name: string) {
  const configFile = flagString(ctx.flags, "config");
  return loadProfile(name, ctx.io.env, ctx.io.cwd, configFile === undefined ? {} : { configFile });
}

/** `plan move`: reads the selected VMs' definitions from the source, plans, prints the plan. Changes nothing. */
export async function planMoveSubcommand(ctx: CommandContext): Promise<ExitCode> {
  if (ctx.positionals.length !== 2) throw new UsageError("usage: vmshift plan move <selector> --from <profile> --to <profile> --downtime-budget <ms>");
  const fromName = flagString(ctx.flags, "from")!;
  const toName = flagString(ctx.flags, "to");
  if (toName === undefined) throw new UsageError("plan move: say where the VMs go: --to <profile>");
  const budget = flagNumber(ctx.flags, "downtime-budget");
  if (budget === undefined) throw new UsageError("plan move: --downtime-budget <ms> is required (cold where it fits, else warm)");
  const match = selectorMatcher(ctx.positionals[1]!);
  const { planMoves, libvirtMoveSource } = await import("@vmshift/move");
  const { networkMap, storageMap } = await moveMaps(ctx.flags);
  const fromProfile = load(ctx, fromName);
  const src = libvirtHost(fromProfile, flagString(ctx.flags, "from-host"), "from");
  const dst = libvirtHost(load(ctx, toName), flagString(ctx.flags, "to-host"), "to");
  const maxDeltaPasses = flagNumber(ctx.flags, "max-passes");
  const convergedBytes = flagNumber(ctx.flags, "converged-bytes");
  const shutdownTimeoutMs = flagNumber(ctx.flags, "shutdown-timeout");
  const changeRate = flagNumber(ctx.flags, "change-rate");
  const passCost = flagNumber(ctx.flags, "pass-cost");
  const startCost = flagNumber(ctx.flags, "start-cost");
  // The VMs on the source host whose names match, read as the move reads them.
  const connection = await connect(fromProfile, {}, ctx.io);
  const names: string[] = [];
  try {
    for await (const vm of connection.client.listVms().items()) if ((vm.hostId === undefined || vm.hostId === src.id) && match(vm.name)) names.push(vm.name);
  } finally {
    await connection.close();
  }
  const source = libvirtMoveSource({ uri: src.uri, hostId: src.id });
  const signal = new AbortController().signal;
  const definitions = [];
  for (const name of names.sort()) definitions.push(await source.readDefinition(name, { signal }));
  const plan = planMoves(definitions, {
    from: fromName, to: toName, fromHost: src.id, toHost: dst.id, downtimeBudgetMs: budget,
    bandwidthBytesPerSecond: flagNumber(ctx.flags, "bandwidth") ?? DEFAULT_BANDWIDTH,
    ...(changeRate === undefined ? {} : { changeRateBytesPerSecond: changeRate }),
    ...(passCost === undefined && startCost === undefined ? {} : { costs: { ...(passCost === undefined ? {} : { passOverheadMs: passCost }), ...(startCost === undefined ? {} : { startMs: startCost }) } }),
    ...(Object.keys(networkMap).length ? { networkMap } : {}),
    ...(Object.keys(storageMap).length ? { storageMap } : {}),
    ...(maxDeltaPasses === undefined && convergedBytes === undefined ? {} : { warm: { ...(maxDeltaPasses === undefined ? {} : { maxDeltaPasses }), ...(convergedBytes === undefined ? {} : { convergedBytes }) } }),
    ...(shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs }),
  });
  if (ctx.json) ctx.io.stdout.write(`${JSON.stringify({ event: "plan", dryRun: true, plan })}\n`);
  else {
    ctx.io.stdout.write(renderPlan(plan));
    if (plan.migrations.length > 0) ctx.io.stderr.write("nothing changed; to run it: vmshift plan move … --json > plan.json, review, then vmshift plan run plan.json\n");
  }
  if (plan.migrations.length === 0 && !ctx.json) ctx.io.stdout.write(`no VM on ${src.id} matches ${ctx.positionals[1]}\n`);
  return EXIT.ok;
}

/**
 * What `plan run` needs for a plan with move steps: a client of the source profile (the executor
 * asks it where a VM is after a failure) and the move runner resolving each step's profiles.
 */
export async function moveExecution(ctx: CommandContext, plan: FleetPlan): Promise<{ readonly client: VmshiftClient; readonly runMove: NonNullable<ExecuteOptions["runMove"]>; close(): Promise<void> }> {
  const froms = new Set(plan.migrations.map((m) => m.move?.from).filter((x): x is string => x !== undefined));
  if (froms.size !== 1) throw new UsageError(`a move plan's steps must share one source profile (this one has ${froms.size})`);
  const { moveStepRunner, libvirtMoveSource, libvirtMoveTarget } = await import("@vmshift/move");
  const connection = await connect(load(ctx, [...froms][0]!), {}, ctx.io);
  const runMove = moveStepRunner((step) => {
    const o = step.move.options as { fromHost?: string; toHost?: string };
    const src = libvirtHost(load(ctx, step.move.from), o.fromHost, "from");
    const dst = libvirtHost(load(ctx, step.move.to), o.toHost, "to");
    return { from: libvirtMoveSource({ uri: src.uri, hostId: src.id }), to: libvirtMoveTarget({ uri: dst.uri, hostId: dst.id }) };
  });
  return { client: connection.client, runMove, close: () => connection.close() };
}
