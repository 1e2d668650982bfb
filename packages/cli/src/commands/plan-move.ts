/**
 * `vmshift plan move <selector> --from <profile> --to <profile> (--downtime-budget <ms> | --warm |
 * --mode cold|warm)`: a reviewable fleet plan whose steps are moves (`@vmshift/move`'s
 * `planMoves`: cold where cold's downtime fits the budget, else warm, or the mode asked for),
 * printed as text or, with `--json`, as the plan line `vmshift plan run` reads. And the move runner
 * `plan run` hands to the executor for such plans. Every source and target `vmshift move` takes
 * (move-sides.ts): the selector is matched against the source platform's own listing, and each step
 * records the id the mover takes with the name a human reviews (plan-move-select.ts).
 */
import type { ExecuteOptions, FleetPlan, VmshiftClient } from "@vmshift/core";
import { type CommandContext, type DescribedOptionTable, UsageError, flagNumber, flagString } from "../command.ts";
import { EXIT, type ExitCode } from "../io.ts";
import { connect } from "../platforms.ts";
import { loadProfile } from "../profiles.ts";
import { renderPlan } from "./fleet.ts";
import { MOVE_SOURCES, MOVE_TARGETS, type SourceSide, type TargetSide, moveMaps, sourceSide, targetSide, unsupported } from "./move-sides.ts";
import { selectVms, selectorMatcher } from "./plan-move-select.ts";

/** Flags of `plan move` (`--to` and `--bandwidth` are the plan command's own). */
export const PLAN_MOVE_OPTIONS = {
  from: { type: "string", value: "profile", description: "plan move: profile of the platform the VMs are on (libvirt, vsphere, hyperv or nutanix)" },
  "from-host": { type: "string", value: "host", description: "plan move: the source host's id when the --from profile has several" },
  "to-host": { type: "string", value: "host", description: "plan move: the target host's id when the --to profile has several" },
  "network-map": { type: "string", multiple: true, value: "src=dst", description: "plan move: map a source network to a target network (repeatable)" },
  "storage-map": { type: "string", multiple: true, value: "src=dst[:format]", description: "plan move: map a source storage (libvirt pool, datastore, Hyper-V volume or share, storage container) to a target one (pool, storage class), optionally with the format (repeatable)" },
  "downtime-budget": { type: "string", value: "ms", description: "plan move: most downtime a move may cost: cold where it fits, else warm (required unless --warm or --mode)" },
  mode: { type: "string", value: "cold|warm", description: "plan move: every step in this mode (with --downtime-budget, the steps that miss it are noted)" },
  warm: { type: "boolean", description: "plan move: the same as --mode warm" },
  convert: { type: "string", value: "auto|always|never", description: "plan move: guest conversion at cutover (virt-v2v-in-place): auto (default: foreign guests that need it), always, never" },
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

function load(ctx: CommandContext, name: string) {
  const configFile = flagString(ctx.flags, "config");
  return loadProfile(name, ctx.io.env, ctx.io.cwd, configFile === undefined ? {} : { configFile });
}

/** `--mode`, `--warm`, `--cold`: the mode every step takes, or undefined (the budget decides). */
function modeOf(ctx: CommandContext): "cold" | "warm" | undefined {
  const asked = [flagString(ctx.flags, "mode"), ctx.flags["warm"] === true ? "warm" : undefined, ctx.flags["cold"] === true ? "cold" : undefined].filter((m) => m !== undefined);
  const mode = asked[0];
  if (mode !== undefined && mode !== "cold" && mode !== "warm") throw new UsageError(`plan move: --mode ${mode}: say cold or warm`);
  if (asked.some((m) => m !== mode)) throw new UsageError(`plan move: ${asked.join(" and ")} contradict each other (--mode, --warm, --cold)`);
  return mode;
}

/** Why warm moves cannot run from this source to this target (as the mover's preflight would refuse them), or undefined. */
function warmUnavailable(src: SourceSide, dst: TargetSide): string | undefined {
  if (!src.source.warm) return `the ${src.source.platform} source has no change tracking`;
  if (dst.target.writeDisk && !dst.target.checkWarm) return `the ${dst.target.platform} target writes whole disks itself, so delta passes cannot land`;
  return undefined;
}

/** `plan move`: lists the selected VMs on the source, reads their definitions, plans, prints the plan. Changes nothing. */
export async function planMoveSubcommand(ctx: CommandContext): Promise<ExitCode> {
  if (ctx.positionals.length !== 2) throw new UsageError("usage: vmshift plan move <selector> --from <profile> --to <profile> (--downtime-budget <ms> | --warm | --mode cold|warm)");
  const fromName = flagString(ctx.flags, "from")!;
  const toName = flagString(ctx.flags, "to");
  if (toName === undefined) throw new UsageError("plan move: say where the VMs go: --to <profile>");
  const mode = modeOf(ctx);
  const budget = flagNumber(ctx.flags, "downtime-budget");
  if (budget === undefined && mode === undefined) throw new UsageError("plan move: --downtime-budget <ms> is required (cold where it fits, else warm), or choose the mode: --warm, --mode cold|warm");
  const match = selectorMatcher(ctx.positionals[1]!);
  const { planMoves } = await import("@vmshift/move");
  const { networkMap, storageMap } = await moveMaps(ctx.flags);
  const fromProfile = load(ctx, fromName);
  const toProfile = load(ctx, toName);
  // Both platforms are checked before anything is built or asked.
  if (!(MOVE_SOURCES as readonly string[]).includes(fromProfile.platform)) unsupported(fromProfile, "from");
  if (!(MOVE_TARGETS as readonly string[]).includes(toProfile.platform)) unsupported(toProfile, "to");
  const maxDeltaPasses = flagNumber(ctx.flags, "max-passes");
  const convergedBytes = flagNumber(ctx.flags, "converged-bytes");
  const shutdownTimeoutMs = flagNumber(ctx.flags, "shutdown-timeout");
  const changeRate = flagNumber(ctx.flags, "change-rate");
  const passCost = flagNumber(ctx.flags, "pass-cost");
  const startCost = flagNumber(ctx.flags, "start-cost");
  const convert = flagString(ctx.flags, "convert");
  if (convert !== undefined && convert !== "auto" && convert !== "always" && convert !== "never") throw new UsageError(`plan move: --convert ${convert}: say auto, always or never`);
  const fromHost = flagString(ctx.flags, "from-host");
  const toHost = flagString(ctx.flags, "to-host");
  for (const [flag, host, profile] of [["from-host", fromHost, fromProfile], ["to-host", toHost, toProfile]] as const) {
    if (host !== undefined && profile.platform !== "libvirt") throw new UsageError(`plan move: --${flag} picks a host of a libvirt profile; ${profile.name} is a ${profile.platform} profile`);
  }
  const dst = await targetSide(toProfile, toHost);
  const src = await sourceSide(fromProfile, fromHost);
  let plan: FleetPlan;
  try {
    const noWarm = warmUnavailable(src, dst);
    if (mode === "warm" && noWarm !== undefined) throw new UsageError(`plan move: warm moves from ${fromName} to ${toName} are not possible: ${noWarm}; plan them cold (--mode cold) or by --downtime-budget`);
    // The VMs whose names match, from the source platform's listing (a libvirt profile: its chosen host's).
    const selected = await selectVms(fromProfile, ctx.io, match, fromProfile.platform === "libvirt" ? src.id : undefined);
    const signal = new AbortController().signal;
    const definitions = [];
    for (const vm of selected) definitions.push(await src.source.readDefinition(vm.moveId, { signal }));
    const libvirtHosts = { ...(fromProfile.platform === "libvirt" ? { fromHost: src.id } : {}), ...(toProfile.platform === "libvirt" ? { toHost: dst.id } : {}) };
    plan = planMoves(definitions, {
      from: fromName, to: toName, ...libvirtHosts, sourceHostId: src.id, targetHostId: dst.id,
      bandwidthBytesPerSecond: flagNumber(ctx.flags, "bandwidth") ?? DEFAULT_BANDWIDTH,
      ...(budget === undefined ? {} : { downtimeBudgetMs: budget }),
      ...(mode === undefined ? {} : { mode }),
      ...(noWarm === undefined ? {} : { warmUnavailable: noWarm }),
      ...(changeRate === undefined ? {} : { changeRateBytesPerSecond: changeRate }),
      ...(passCost === undefined && startCost === undefined ? {} : { costs: { ...(passCost === undefined ? {} : { passOverheadMs: passCost }), ...(startCost === undefined ? {} : { startMs: startCost }) } }),
      ...(Object.keys(networkMap).length ? { networkMap } : {}),
      ...(Object.keys(storageMap).length ? { storageMap } : {}),
      ...(maxDeltaPasses === undefined && convergedBytes === undefined ? {} : { warm: { ...(maxDeltaPasses === undefined ? {} : { maxDeltaPasses }), ...(convergedBytes === undefined ? {} : { convergedBytes }) } }),
      ...(shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs }),
      ...(convert === undefined ? {} : { convert: { mode: convert } }),
    });
  } finally {
    await src.close?.();
  }
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
 * asks it where a VM is after a failure) and the move runner resolving each step's profiles into
 * move sides (move-sides.ts, as `vmshift move` builds them); one source side per profile and host,
 * closed with the rest.
 */
export async function moveExecution(ctx: CommandContext, plan: FleetPlan): Promise<{ readonly client: VmshiftClient; readonly runMove: NonNullable<ExecuteOptions["runMove"]>; close(): Promise<void> }> {
  const froms = new Set(plan.migrations.map((m) => m.move?.from).filter((x): x is string => x !== undefined));
  if (froms.size !== 1) throw new UsageError(`a move plan's steps must share one source profile (this one has ${froms.size})`);
  const { moveStepRunner } = await import("@vmshift/move");
  const connection = await connect(load(ctx, [...froms][0]!), {}, ctx.io);
  const sources = new Map<string, Promise<SourceSide>>();
  const targets = new Map<string, Promise<TargetSide>>();
  const once = <T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> => {
    let side = cache.get(key);
    if (side === undefined) cache.set(key, (side = make()));
    return side;
  };
  const runMove = moveStepRunner(async (step) => {
    const o = step.move.options as { fromHost?: string; toHost?: string };
    const src = await once(sources, JSON.stringify([step.move.from, o.fromHost]), () => sourceSide(load(ctx, step.move.from), o.fromHost));
    const dst = await once(targets, JSON.stringify([step.move.to, o.toHost]), () => targetSide(load(ctx, step.move.to), o.toHost));
    // A target with no host (KubeVirt) is named by the step's target (profile/namespace), so the move's
    // result says where the VM runs; the executor would otherwise ask the source platform.
    const to = dst.target.hostId === undefined && step.targetHostId !== undefined ? { ...dst.target, hostId: step.targetHostId } : dst.target;
    return { from: src.source, to };
  });
  const close = async () => {
    for (const side of sources.values()) await side.then((s) => s.close?.(), () => undefined);
    await connection.close();
  };
  return { client: connection.client, runMove, close };
}
