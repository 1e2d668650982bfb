/** Fault injection for the simulator: every knob the conformance suite and the tests need. */
import { type AdapterOperation, type ErrorCode, VmshiftError } from "@vmshift/core";
import type { MigrationPhase } from "@vmshift/core";

interface CountedFault {
  remaining: number;
  readonly code: ErrorCode;
}

/** Faults armed on a simulator world. Each one-shot fault disarms itself when it fires. */
export class FaultPlan {
  #failOps = new Map<AdapterOperation, CountedFault>();
  #lostResponses = new Map<AdapterOperation, number>();
  #delays = new Map<AdapterOperation, number>();
  #phaseFaults = new Map<string, { phase: MigrationPhase; code: ErrorCode }>();
  #neverConverge = new Set<string>();
  #refusedTargets = new Set<string>();
  #coldStartFaults = new Map<string, { alsoOnSource: boolean }>();
  #slow = new Map<string, number>();

  /** The next `times` calls of `operation` fail with `code` (default `TRANSPORT`) before doing anything. */
  failOperation(operation: AdapterOperation, times = 1, code: ErrorCode = "TRANSPORT"): this {
    this.#failOps.set(operation, { remaining: times, code });
    return this;
  }

  /** The next `times` calls of `operation` act, then lose their answer (the caller sees `TRANSPORT`). */
  loseResponse(operation: AdapterOperation, times = 1): this {
    this.#lostResponses.set(operation, times);
    return this;
  }

  /** Every call of `operation` takes `ms` longer. */
  delay(operation: AdapterOperation, ms: number): this {
    this.#delays.set(operation, ms);
    return this;
  }

  /** The next migration of `vmId` fails on reaching `phase` (for `transferring`: halfway through round 1). */
  failAtPhase(vmId: string, phase: MigrationPhase, code: ErrorCode = "MIGRATION_FAILED"): this {
    this.#phaseFaults.set(vmId, { phase, code });
    return this;
  }

  /** Migrations of `vmId` never converge: its pages dirty faster than the link moves them. */
  neverConverge(vmId: string): this {
    this.#neverConverge.add(vmId);
    return this;
  }

  /** `hostId` refuses to reserve resources for incoming migrations. */
  refuseTarget(hostId: string): this {
    this.#refusedTargets.add(hostId);
    return this;
  }

  /** The next cold migration of `vmId` cannot start it on the target (and, with `alsoOnSource`, not on the source either). */
  failColdStart(vmId: string, options: { alsoOnSource?: boolean } = {}): this {
    this.#coldStartFaults.set(vmId, { alsoOnSource: options.alsoOnSource ?? false });
    return this;
  }

  /** Migrations of `vmId` move at `factor` of the normal bandwidth (e.g. 0.01 for a long transfer). */
  slowDown(vmId: string, factor = 0.02): this {
    this.#slow.set(vmId, factor);
    return this;
  }

  /** @internal */
  beforeOperation(operation: AdapterOperation): { delayMs: number; error?: VmshiftError } {
    const delayMs = this.#delays.get(operation) ?? 0;
    const fault = this.#failOps.get(operation);
    if (fault && fault.remaining > 0) {
      fault.remaining--;
      return { delayMs, error: new VmshiftError(fault.code, `injected fault on ${operation}`, { adapter: "simulator" }) };
    }
    return { delayMs };
  }

  /** @internal True when this call's answer is to be lost after acting. */
  takeLostResponse(operation: AdapterOperation): boolean {
    const n = this.#lostResponses.get(operation) ?? 0;
    if (n <= 0) return false;
    this.#lostResponses.set(operation, n - 1);
    return true;
  }

  /** @internal */
  takePhaseFault(vmId: string, phase: MigrationPhase): ErrorCode | undefined {
    const f = this.#phaseFaults.get(vmId);
    if (!f || f.phase !== phase) return undefined;
    this.#phaseFaults.delete(vmId);
    return f.code;
  }

  /** @internal */
  isNeverConverging(vmId: string): boolean {
    return this.#neverConverge.has(vmId);
  }

  /** @internal */
  isRefused(hostId: string): boolean {
    return this.#refusedTargets.has(hostId);
  }

  /** @internal */
  takeColdStartFault(vmId: string): { alsoOnSource: boolean } | undefined {
    const f = this.#coldStartFaults.get(vmId);
    this.#coldStartFaults.delete(vmId);
    return f;
  }

  /** @internal */
  speedFactor(vmId: string): number {
    return this.#slow.get(vmId) ?? 1;
  }
}
