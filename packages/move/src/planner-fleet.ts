/**
 * Moves as fleet plan steps: {@link planMoves} turns VM definitions into a reviewable
 * `FleetPlan` (kind `move`) whose steps are moves, each cold or warm as {@link adviseMove} decides
 * against the downtime budget; {@link moveStepRunner} is the `ExecuteOptions.runMove` that makes
 * core's executor run those steps with a mover. Core knows a move step only as data.
 */
import { randomUUID } from "node:crypto";
import { type ExecuteOptions, type FleetPlan, type PlannedMigration, type PlannedMove, type SkippedVm, VmshiftError } from "@vmshift/core";
import type { VmDefinition } from "./definition.ts";
import { type NameMap, type StorageMap, isCopied } from "./mapping.ts";
import { type Mover, createMover } from "./move.ts";
import { type MovePlanInput, adviseMove } from "./planner.ts";
import type { MoveSource, MoveTarget } from "./spi.ts";
import type { WarmOptions } from "./warm.ts";

/** Options of {@link planMoves}. */
export interface MovePlanOptions {
  /** Profile names of the source and the target: the runner resolves them. */
  readonly from: string;
  readonly to: string;
  /** Host ids within the profiles, when they have several. */
  readonly fromHost?: string;
  readonly toHost?: string;
  /** Most downtime a move may cost, ms: cold when it fits, else warm (see {@link adviseMove}). */
  readonly downtimeBudgetMs: number;
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
  readonly networkMap?: NameMap;
  readonly storageMap?: StorageMap;
  readonly shutdownTimeoutMs?: number;
  /** Moves at once. Default 1. */
  readonly maxInFlight?: number;
  readonly stopOnFailure?: boolean;
}

/** What a move step carries in `PlannedMove.options` (plain JSON: a plan file round-trips). */
export interface MoveStepOptions {
  readonly fromHost?: string;
  readonly toHost?: string;
  readonly networkMap?: NameMap;
  readonly storageMap?: StorageMap;
  readonly warm?: WarmOptions;
  readonly shutdownTimeoutMs?: number;
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
  const stepOptions: MoveStepOptions = {
    ...(options.fromHost ? { fromHost: options.fromHost } : {}),
    ...(options.toHost ? { toHost: options.toHost } : {}),
    ...(options.networkMap ? { networkMap: options.networkMap } : {}),
    ...(options.storageMap ? { storageMap: options.storageMap } : {}),
    ...(options.warm ? { warm: options.warm } : {}),
    ...(options.shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs: options.shutdownTimeoutMs }),
  };
  const migrations: PlannedMigration[] = [];
  const skipped: SkippedVm[] = [];
  const seen = new Set<string>();
  for (const vm of vms) {
    if (seen.has(vm.id)) continue;
    seen.add(vm.id);
    const diskBytes = vm.disks.filter(isCopied).map((d) => d.sizeBytes);
    const changeRate = options.changeRates?.[vm.id] ?? options.changeRateBytesPerSecond ?? 0;
    const advice = adviseMove(
      { diskBytes, changeRateBytesPerSecond: changeRate, bandwidthBytesPerSecond: options.bandwidthBytesPerSecond, ...options.costs, ...(options.warm?.maxDeltaPasses === undefined ? {} : { maxDeltaPasses: options.warm.maxDeltaPasses }), ...(options.warm?.convergedBytes === undefined ? {} : { convergedBytes: options.warm.convergedBytes }), ...(options.warm?.passIntervalMs === undefined ? {} : { passIntervalMs: options.warm.passIntervalMs }) },
      { downtimeBudgetMs: options.downtimeBudgetMs },
    );
    const chosen = advice.mode === "warm" ? advice.warm : advice.cold;
    const move: PlannedMove = { from: options.from, to: options.to, mode: advice.mode, predictedDowntimeMs: Math.round(chosen.downtimeMs), options: stepOptions as Record<string, unknown> };
    migrations.push({
      order: migrations.length,
      vmId: vm.id,
      vmName: vm.name,
      ...(options.fromHost ? { sourceHostId: options.fromHost } : {}),
      ...(options.toHost ? { targetHostId: options.toHost } : {}),
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
  return {
    kind: "move",
    adapter: `${options.from} → ${options.to}`,
    createdAt: new Date().toISOString(),
    subjectHostIds: options.fromHost ? [options.fromHost] : [],
    migrations,
    skipped,
    limits: { maxInFlight, perHost: {}, source: "caller" },
    hosts: [],
    freedHostIds: [],
    summary: `${migrations.length} move(s) from ${options.from} to ${options.to}: ${migrations.length - warm} cold, ${warm} warm, against a ${(options.downtimeBudgetMs / 1000).toFixed(1)} s downtime budget${over ? `; ${over} cannot meet it` : ""}`,
    notes: over ? [`${over} move(s) exceed the downtime budget in either mode; each takes the mode with less downtime`] : [],
    stopOnFailure: options.stopOnFailure ?? false,
  };
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
    });
  };
}
