/**
 * Runs simulated migrations through the contract's phases on the world's clock: live migrations
 * follow the pre-copy model round by round (bytes, dirty rate, iteration, expected downtime);
 * cold ones stop, relocate and start, restarting on the source when the target start fails.
 */
import type { ErrorCode, MigrationPhase, MigrationResult, VmLocation } from "@vmshift/core";
import type { SimMigration, SimulatorWorld } from "./world.ts";

class Stop extends Error {
  readonly outcome: "failed" | "cancelled";
  readonly code: ErrorCode;
  readonly why: string;
  readonly location: VmLocation;
  constructor(outcome: "failed" | "cancelled", code: ErrorCode, why: string, location: VmLocation) {
    super(why);
    this.outcome = outcome;
    this.code = code;
    this.why = why;
    this.location = location;
  }
}

/** Runs one migration to a terminal phase. Never throws. */
export async function runMigration(world: SimulatorWorld, m: SimMigration): Promise<void> {
  try {
    if (m.mode === "live") await runLive(world, m);
    else await runCold(world, m);
  } catch (error) {
    const stop = error instanceof Stop ? error : new Stop("failed", "INTERNAL", String(error), onSource(world, m));
    finish(world, m, stop.outcome, stop.location, { code: stop.code, message: stop.why });
  } finally {
    m.holdsSlot = false;
  }
}

function onSource(world: SimulatorWorld, m: SimMigration): VmLocation {
  const vm = world.vm(m.vmId);
  return { hostId: vm.hostId, side: vm.hostId === m.sourceHostId ? "source" : vm.hostId === m.targetHostId ? "target" : "unknown", powerState: vm.powerState };
}

function finish(world: SimulatorWorld, m: SimMigration, outcome: MigrationResult["outcome"], location: VmLocation, error?: { code: string; message: string }, downtimeMs?: number): void {
  m.result = {
    migrationId: m.id,
    vmId: m.vmId,
    mode: m.mode,
    outcome,
    vmLocation: location,
    sourceHostId: m.sourceHostId,
    targetHostId: m.targetHostId,
    durationMs: Math.round(world.clock.now() - m.startedAt),
    ...(downtimeMs === undefined ? {} : { downtimeMs: Math.round(downtimeMs) }),
    ...(error === undefined ? {} : { error }),
  };
  world.publish(m, outcome, outcome === "completed" ? { percent: 100 } : { message: error?.message ?? outcome });
}

async function enter(world: SimulatorWorld, m: SimMigration, phase: MigrationPhase, delayMs: number, cancellable = true): Promise<void> {
  world.publish(m, phase);
  const fault = world.faults.takePhaseFault(m.vmId, phase);
  if (fault) throw new Stop("failed", fault, `injected failure in ${phase}`, onSource(world, m));
  await world.clock.sleep(delayMs);
  if (cancellable && m.cancelRequested) throw new Stop("cancelled", "ABORTED", "cancelled by request", onSource(world, m));
}

/**
 * Asks the target to reserve resources (live: in `requested`; cold: still in `preparing`), then
 * waits until both hosts have a free migration slot, and takes it.
 */
async function reserve(world: SimulatorWorld, m: SimMigration): Promise<void> {
  if (m.mode === "live") await enter(world, m, "requested", world.timing.phaseDelaysMs.requested);
  const vm = world.vm(m.vmId);
  const problem = world.placementProblem(vm, m.targetHostId);
  if (problem) throw new Stop("failed", problem.code, problem.reason, onSource(world, m));
  const needsMemory = m.mode === "live" || vm.powerState !== "stopped";
  if (world.faults.isRefused(m.targetHostId) || (needsMemory && world.freeMemory(m.targetHostId) < vm.spec.memoryBytes)) {
    throw new Stop("failed", "INSUFFICIENT_RESOURCES", `host ${m.targetHostId} cannot reserve ${vm.spec.memoryBytes} bytes of memory for ${m.vmId}`, onSource(world, m));
  }
  const limit = (id: string) => world.host(id).maxConcurrentMigrations ?? 2;
  while (world.activeOn(m.sourceHostId) >= limit(m.sourceHostId) || world.activeOn(m.targetHostId) >= limit(m.targetHostId)) {
    world.publish(m, m.mode === "live" ? "requested" : "preparing", { message: "waiting for a migration slot on the source or target host" });
    await world.clock.sleep(world.timing.progressIntervalMs);
    if (m.cancelRequested) throw new Stop("cancelled", "ABORTED", "cancelled while queued", onSource(world, m));
  }
  m.holdsSlot = true;
}

async function runLive(world: SimulatorWorld, m: SimMigration): Promise<void> {
  const vm = world.vm(m.vmId);
  await enter(world, m, "preparing", world.timing.phaseDelaysMs.preparing);
  await reserve(world, m);

  const memory = vm.spec.memoryBytes;
  const workingSet = Math.min(vm.spec.workingSetBytes ?? memory, memory);
  const hostBandwidth = Math.min(
    world.host(m.sourceHostId).bandwidthBytesPerSecond ?? world.timing.bandwidthBytesPerSecond,
    world.host(m.targetHostId).bandwidthBytesPerSecond ?? world.timing.bandwidthBytesPerSecond,
  );
  // slowDown dilates time: bandwidth and dirty rate shrink together, so convergence is unchanged.
  const speed = world.faults.speedFactor(m.vmId);
  const bandwidth = Math.min(hostBandwidth, m.request.bandwidthBytesPerSecond ?? Infinity) * speed;
  const baseDirty = world.faults.isNeverConverging(m.vmId) ? bandwidth * 1.5 : (vm.spec.dirtyRateBytesPerSecond ?? 0) * speed;
  const limitMs = m.request.maxDowntimeMs ?? world.timing.defaultMaxDowntimeMs;
  const tick = world.timing.progressIntervalMs;
  const failMidway = world.faults.takePhaseFault(m.vmId, "transferring");

  world.publish(m, "transferring", { percent: 0, transferredBytes: 0, remainingBytes: memory, totalBytes: memory, iteration: 1, bandwidthBytesPerSecond: bandwidth, dirtyRateBytesPerSecond: baseDirty });
  let transferred = 0;
  let toSend = memory;
  let throttle = 0;
  let postCopy = false;
  for (let iteration = 1; ; iteration++) {
    const dirtyRate = baseDirty * (1 - throttle / 100);
    let left = toSend;
    let roundMs = 0;
    while (left > 0) {
      const stepMs = Math.min(tick, (left / bandwidth) * 1000);
      await world.clock.sleep(stepMs);
      roundMs += stepMs;
      const sent = Math.min(left, (bandwidth * stepMs) / 1000);
      left -= sent;
      transferred += sent;
      if (m.cancelRequested) throw new Stop("cancelled", "ABORTED", "cancelled during transfer; the VM keeps running on its source", onSource(world, m));
      if (failMidway && iteration === 1 && left <= toSend / 2) {
        throw new Stop("failed", failMidway, "the target stopped answering during transfer; the VM keeps running on its source", onSource(world, m));
      }
      const dirtiedSoFar = Math.min(workingSet, (dirtyRate * roundMs) / 1000);
      world.publish(m, "transferring", {
        percent: round1(((memory - left) / memory) * 100),
        transferredBytes: Math.round(transferred),
        remainingBytes: Math.round(left),
        totalBytes: memory,
        dirtyRateBytesPerSecond: Math.round(dirtyRate),
        bandwidthBytesPerSecond: Math.round(bandwidth),
        iteration,
        expectedDowntimeMs: Math.round((dirtiedSoFar / bandwidth) * 1000),
        ...(throttle > 0 ? { message: `guest throttled ${throttle}% (auto-converge)` } : {}),
      });
    }
    const dirtied = Math.min(workingSet, (dirtyRate * roundMs) / 1000);
    if ((dirtied / bandwidth) * 1000 <= limitMs) {
      toSend = dirtied;
      break;
    }
    if (iteration >= world.timing.maxRounds) {
      if (m.request.allowPostCopy) {
        postCopy = true;
        toSend = 0;
        break;
      }
      throw new Stop("failed", "MIGRATION_FAILED", `pre-copy did not converge in ${iteration} rounds (dirty rate ${Math.round(dirtyRate)} B/s vs bandwidth ${Math.round(bandwidth)} B/s); the VM keeps running on its source`, onSource(world, m));
    }
    if (m.request.allowAutoConverge && iteration >= 2) throttle = Math.min(99, throttle === 0 ? 20 : throttle + 10);
    toSend = dirtied;
  }

  // Switch-over: the guest pauses, the rest is copied, the target becomes primary. Cancel is too late now.
  const downtimeMs = postCopy ? world.timing.phaseDelaysMs.finalizing : (toSend / bandwidth) * 1000;
  world.publish(m, "finalizing", { percent: 100, transferredBytes: Math.round(transferred + toSend), remainingBytes: Math.round(toSend), totalBytes: memory, expectedDowntimeMs: Math.round(downtimeMs), ...(postCopy ? { message: "switched to post-copy" } : {}) });
  const finalFault = world.faults.takePhaseFault(m.vmId, "finalizing");
  if (finalFault) throw new Stop("failed", finalFault, "switch-over failed; the source resumed the VM", onSource(world, m));
  await world.clock.sleep(downtimeMs + world.timing.phaseDelaysMs.finalizing);
  vm.hostId = m.targetHostId;
  vm.powerState = "running";
  finish(world, m, "completed", { hostId: m.targetHostId, side: "target", powerState: "running" }, undefined, downtimeMs);
}

async function runCold(world: SimulatorWorld, m: SimMigration): Promise<void> {
  const vm = world.vm(m.vmId);
  const wasRunning = vm.powerState === "running";
  await enter(world, m, "preparing", world.timing.phaseDelaysMs.preparing);
  await reserve(world, m);
  const stoppedAt = world.clock.now();
  await enter(world, m, "stopping", world.timing.phaseDelaysMs.stopping);
  vm.powerState = "stopped";
  if (m.cancelRequested) {
    if (wasRunning) vm.powerState = "running";
    throw new Stop("cancelled", "ABORTED", "cancelled before relocation; the VM was started again on its source", onSource(world, m));
  }
  await enter(world, m, "relocating", world.timing.phaseDelaysMs.relocating, false);
  vm.hostId = m.targetHostId;
  if (!wasRunning) {
    finish(world, m, "completed", { hostId: m.targetHostId, side: "target", powerState: "stopped" });
    return;
  }
  await enter(world, m, "starting", world.timing.phaseDelaysMs.starting, false);
  const startFault = world.faults.takeColdStartFault(m.vmId);
  if (!startFault) {
    vm.powerState = "running";
    finish(world, m, "completed", { hostId: m.targetHostId, side: "target", powerState: "running" }, undefined, world.clock.now() - stoppedAt);
    return;
  }
  if (m.request.restartOnSourceOnFailure === false) {
    throw new Stop("failed", "MIGRATION_PARTIAL", `the VM could not be started on ${m.targetHostId} and was left stopped there (restart on source was turned off)`, onSource(world, m));
  }
  await world.clock.sleep(world.timing.phaseDelaysMs.relocating);
  vm.hostId = m.sourceHostId;
  if (startFault.alsoOnSource) {
    throw new Stop("failed", "MIGRATION_PARTIAL", `the VM could not be started on ${m.targetHostId} nor again on ${m.sourceHostId}; it is stopped on its source`, onSource(world, m));
  }
  await world.clock.sleep(world.timing.phaseDelaysMs.starting);
  vm.powerState = "running";
  throw new Stop("failed", "MIGRATION_FAILED", `the VM could not be started on ${m.targetHostId}; it was started again on ${m.sourceHostId}`, onSource(world, m));
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
