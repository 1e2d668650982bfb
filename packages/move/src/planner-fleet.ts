/**
 * Moves as fleet plan steps: {@link planMoves} turns VM definitions into a reviewable
 * `FleetPlan` (kind `move`) whose steps are moves, each cold or warm as {@link adviseMove} decides
 * against the downtime budget (or in the mode the caller chose, with its predicted downtime); each
 * step names the VM by the id the source's mover takes (`vmId`) and the name a human reviews
 * (`vmName`); {@link moveStepRunner} is the `ExecuteOptions.runMove` that makes
 * core's executor run those steps with a mover. Core knows a move step only as data.
 */
import { randomUUID } from "node:crypto";
import { type ExecuteOptions, type FleetPlan, type PlannedMigration, type PlannedMove, type SkippedVm, VmshiftError } from "@vmshift/core";
import type { VmDefinition } from "./definition.ts";
import { type NameMap, type StorageMap, isCopied } from "./mapping.ts";
import { type Mover, createMover } from "./move.ts";
import { type MoveAdvice, type MovePlanInput, adviseMove, planColdMove, planWarmMove } from "./planner.ts";
import type { MoveSource, MoveTarget } from "./spi.ts";
import type { WarmOptions } from "./warm.ts";

/** Options of {@link planMoves}. */
export interface MovePlanOptions {
  /** Profile names of the source and the target: the runner resolves them. */
  readonly from: string;
  /** Profile name of the target. */
  readonly to: string;
  /** Host ids within the profiles, when they have several (libvirt): the runner reads them back. */
  readonly fromHost?: string;
  /** Host id within the target profile (libvirt with several hosts). */
  readonly toHost?: string;
  /**
   * Where the steps show the VMs coming from and going to (`sourceHostId` / `targetHostId`): the
   * move sides' ids, e.g. a profile name or `profile/namespace` where the platform has no host to
   * name. Default: `fromHost` / `toHost`.
   */
  readonly sourceHostId?: string;
  /** As `sourceHostId`, for the target. Default: `toHost`. */
  readonly targetHostId?: string;
  /** Most downtime a move may cost, ms: cold when it fits, else warm (see {@link adviseMove}). Required unless `mode` is given. */
  readonly downtimeBudgetMs?: number;
  /** Every step in this mode (no budget needed; with one, a step that misses it is noted). */
  readonly mode?: "cold" | "warm";
  /**
   * Why warm moves cannot run between these two sides (the source has no change tracking, the
   * target writes whole disks): the budget then chooses among cold only, and `mode: "warm"` is refused.
   */
  readonly warmUnavailable?: string;
  /** Copy bandwidth the planner assumes, bytes per second (measure it: `bench/move-warm.ts`). */
  readonly bandwidthBytesPerSecond: number;
  /** Change rate of every VM's disks, bytes per second, unless a VM has its own. Default 0 (idle). */
  readonly changeRateBytesPerSecond?: number;
  /** Per-VM change rates, bytes per second, by VM id. */
  readonly changeRates?: Readonly<Record<string, number>>;
  /** Fixed costs of the planner (per pass, stop, final pass, start), ms. */
  readonly costs?: Pick<MovePlanInput, "passOverheadMs" | "stopMs" | "finalPassOverheadMs" | "startMs">;
  /** Warm passes (also what the planner models). */
  readonly warm?: WarmOptions;
  /** Source network → target network, for every step (`MoveRequest.networkMap`). */
  readonly networkMap?: NameMap;
  /** Source storage → target storage, for every step (`MoveRequest.storageMap`). */
  readonly storageMap?: StorageMap;
  /** Graceful shutdown of each source before a forced power-off, ms (`MoveRequest.shutdownTimeoutMs`). */
  readonly shutdownTimeoutMs?: number;
  /** Guest conversion at cutover (`MoveRequest.convert`); absent: the mover's default. */
  readonly convert?: { readonly mode?: "auto" | "always" | "never" };
  /** Moves at once. Default 1. */
  readonly maxInFlight?: number;
  /** Stop the plan at the first failed move. Default false. */
  readonly stopOnFailure?: boolean;
}

/** What a move step carries in `PlannedMove.options` (plain JSON: a plan file round-trips). */
export interface MoveStepOptions {
  /** Host id within the source profile. */
  readonly fromHost?: string;
  /** Host id within the target profile. */
  readonly toHost?: string;
  /** `MoveRequest.networkMap`. */
  readonly networkMap?: NameMap;
  /** `MoveRequest.storageMap`. */
  readonly storageMap?: StorageMap;
  /** Present for a warm move: `MoveRequest.warm`. */
  readonly warm?: WarmOptions;
  /** `MoveRequest.shutdownTimeoutMs`. */
  readonly shutdownTimeoutMs?: number;
  /** `MoveRequest.convert`. */
  readonly convert?: { readonly mode?: "auto" | "always" | "never" };
}

const OPERATION = "move.plan";

/**
 * A plan whose steps move `vms` (definitions read from the source) from `options.from` to
 * `options.to`, cold or warm each as the planner advises; VMs with no disk to copy are moved cold.
 * Pure: reads and writes nothing.
 */
export function planMoves(vms: readonly VmDefinition[], options: MovePlanOptions): FleetPlan {
  if (typeof options.from !== "string" || options.from === "" || typeof options.to !== "string" || options.to === "") throw new VmshiftError("INVALID_ARGUMENT", "from and to must name profiles", { operation: OPERATION });
  const maxInFlight = options.maxInFlight ?? 1;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new VmshiftError("INVALID_ARGUMENT", `maxInFlight must be an integer ≥ 1, got ${maxInFlight}`, { operation: OPERATION });
  if (options.mode !== undefined && options.mode !== "cold" && options.mode !== "warm") throw new VmshiftError("INVALID_ARGUMENT", `mode must be cold or warm, got ${JSON.stringify(options.mode)}`, { operation: OPERATION });
  if (options.mode === undefined && options.downtimeBudgetMs === undefined) throw new VmshiftError("INVALID_ARGUMENT", "give a downtime budget (cold where it fits, else warm) or a mode", { operation: OPERATION });
  if (options.mode === "warm" && options.warmUnavailable !== undefined) throw new VmshiftError("NOT_SUPPORTED", `warm moves from ${options.from} to ${options.to} are not possible: ${options.warmUnavailable}`, { operation: OPERATION });
  const sourceHostId = options.sourceHostId ?? options.fromHost;
  const targetHostId = options.targetHostId ?? options.toHost;
  const stepOptions: MoveStepOptions = {
    ...(options.fromHost ? { fromHost: options.fromHost } : {}),
    ...(options.toHost ? { toHost: options.toHost } : {}),
    ...(options.networkMap ? { networkMap: options.networkMap } : {}),
    ...(options.storageMap ? { storageMap: options.storageMap } : {}),
    ...(options.warm ? { warm: options.warm } : {}),
    ...(options.shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs: options.shutdownTimeoutMs }),
    ...(options.convert === undefined ? {} : { convert: options.convert }),
  };
  const migrations: PlannedMigration[] = [];
  const skipped: SkippedVm[] = [];
  const seen = new Set<string>();
  for (const vm of vms) {
    if (seen.has(vm.id)) continue;
    seen.add(vm.id);
    const diskBytes = vm.disks.filter(isCopied).map((d) => d.sizeBytes);
    const changeRate = options.changeRates?.[vm.id] ?? options.changeRateBytesPerSecond ?? 0;
    const input: MovePlanInput = { diskBytes, changeRateBytesPerSecond: changeRate, bandwidthBytesPerSecond: options.bandwidthBytesPerSecond, ...options.costs, ...(options.warm?.maxDeltaPasses === undefined ? {} : { maxDeltaPasses: options.warm.maxDeltaPasses }), ...(options.warm?.convergedBytes === undefined ? {} : { convergedBytes: options.warm.convergedBytes }), ...(options.warm?.passIntervalMs === undefined ? {} : { passIntervalMs: options.warm.passIntervalMs }) };
    const advice = choose(input, options);
    const chosen = advice.mode === "warm" ? advice.warm : advice.cold;
    const move: PlannedMove = { from: options.from, to: options.to, mode: advice.mode, predictedDowntimeMs: Math.round(chosen.downtimeMs), options: stepOptions as Record<string, unknown> };
    migrations.push({
      order: migrations.length,
      vmId: vm.id,
      vmName: vm.name,
      ...(sourceHostId ? { sourceHostId } : {}),
      ...(targetHostId ? { targetHostId } : {}),
      mode: "cold",
      strategy: "cold",
      reservedBytes: vm.memoryBytes,
      powerState: vm.powerState === "running" ? "running" : vm.powerState === "stopped" ? "stopped" : "unknown",
      estimatedMs: Math.round(chosen.totalMs),
      reason: `${advice.reason}${advice.fitsBudget ? "" : " (over budget)"}`,
      request: { vmId: vm.id, mode: "cold", requestId: randomUUID() },
      move,
    });
  }
  const warm = migrations.filter((m) => m.move?.mode === "warm").length;
  const over = migrations.filter((m) => m.reason.endsWith("(over budget)")).length;
  const budget = options.downtimeBudgetMs;
  return {
    kind: "move",
    adapter: `${options.from} → ${options.to}`,
    createdAt: new Date().toISOString(),
    subjectHostIds: sourceHostId ? [sourceHostId] : [],
    migrations,
    skipped,
    limits: { maxInFlight, perHost: {}, source: "caller" },
    hosts: [],
    freedHostIds: [],
    summary: `${migrations.length} move(s) from ${options.from} to ${options.to}: ${migrations.length - warm} cold, ${warm} warm, ${options.mode === undefined ? "against" : `${options.mode} as asked; budget`} ${budget === undefined ? "none" : `a ${(budget / 1000).toFixed(1)} s downtime budget`}${over ? `; ${over} cannot meet it` : ""}`,
    notes: [
      ...(over && options.mode === undefined ? [`${over} move(s) exceed the downtime budget ${options.warmUnavailable === undefined ? "in either mode; each takes the mode with less downtime" : "cold, and warm is not possible here"}`] : []),
      ...(over && options.mode !== undefined ? [`${over} move(s) exceed the downtime budget in the chosen mode`] : []),
      ...(options.warmUnavailable !== undefined && options.mode === undefined ? [`warm moves are not possible from ${options.from} to ${options.to} (${options.warmUnavailable}): every step is cold`] : []),
    ],
    stopOnFailure: options.stopOnFailure ?? false,
  };
}

/** The budget's advice (cold only when warm is unavailable), or the chosen mode with its prediction. */
function choose(input: MovePlanInput, options: MovePlanOptions): MoveAdvice {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const budget = options.downtimeBudgetMs;
  if (options.mode === undefined && options.warmUnavailable === undefined) return adviseMove(input, { downtimeBudgetMs: budget! });
  if (budget !== undefined) adviseMove(input, { downtimeBudgetMs: budget }); // validates the budget as the advice does
  const cold = planColdMove(input);
  const warm = planWarmMove(input);
  const mode = options.mode ?? "cold";
  const plan = mode === "warm" ? warm : cold;
  const fitsBudget = budget === undefined || plan.downtimeMs <= budget;
  const why = options.mode !== undefined ? `${mode} as asked` : "cold: warm is not possible here";
  const against = budget === undefined ? "" : fitsBudget ? `, fits the ${s(budget)} budget` : `, misses the ${s(budget)} budget`;
  return { mode, fitsBudget, reason: `${why}: ${s(plan.downtimeMs)} of downtime${against}${mode === "warm" ? `; ${warm.reason}` : ""}`, cold, warm };
}

/**
 * The `ExecuteOptions.runMove` for plans from {@link planMoves}: `resolve` turns a step's profiles
 * (and host ids) into a source and a target; the move runs with `mover` (default: a new one,
 * qemu-img copier) under the step's request id, so a retried step finds its task.
 */
export function moveStepRunner(resolve: (step: PlannedMigration & { readonly move: PlannedMove }) => { readonly from: MoveSource; readonly to: MoveTarget } | Promise<{ readonly from: MoveSource; readonly to: MoveTarget }>, mover: Mover = createMover()): NonNullable<ExecuteOptions["runMove"]> {
  return async (step) => {
    const { from, to } = await resolve(step);
    const o = step.move.options as MoveStepOptions;
    return mover.moveVm({
      from, to, vmId: step.vmId, mode: step.move.mode, requestId: step.request.requestId,
      ...(o.networkMap ? { networkMap: o.networkMap } : {}),
      ...(o.storageMap ? { storageMap: o.storageMap } : {}),
      ...(o.warm && step.move.mode === "warm" ? { warm: o.warm } : {}),
      ...(o.shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs: o.shutdownTimeoutMs }),
      ...(o.convert === undefined ? {} : { convert: o.convert }),
    });
  };
}
