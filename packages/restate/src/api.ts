/**
 * The handler signatures of the services, for typed calls between them (`ctx.objectClient<SlotsApi>`
 * and friends) without importing their implementations (which need a worker's platform clients).
 */
import type { FleetReport } from "@vmshift/core";
import type { ControlState, SlotClaim, StepInput, StepResult, StepStatus, WaveInput, WaveStatus } from "./types.ts";

/** `VmshiftSlots/<scope>/host|cluster/<id>`: the slots of one host or cluster. */
export type SlotsApi = {
  acquire(ctx: unknown, req: { readonly holder: string; readonly role: SlotClaim["role"]; readonly caps: SlotClaim["caps"] }): Promise<"granted" | "queued">;
  wait(ctx: unknown, req: { readonly holder: string; readonly awakeableId: string }): Promise<"granted" | "waiting" | "unknown">;
  release(ctx: unknown, req: { readonly holder: string }): Promise<void>;
  held(ctx: unknown): Promise<SlotsView>;
};

/** What a slot object holds, for people and tests. */
export interface SlotsView {
  readonly holders: Readonly<Record<string, SlotClaim["role"]>>;
  readonly waiting: readonly string[];
  readonly out: number;
  readonly in: number;
  readonly total: number;
}

/** `VmshiftStep/<planId>:<order>`: one migration of a wave. */
export type StepApi = {
  run(ctx: unknown, input: StepInput): Promise<StepResult>;
  cancel(ctx: unknown, reason?: string): Promise<void>;
  status(ctx: unknown): Promise<StepStatus>;
};

/** `VmshiftWaveControl/<planId>`: the control state of a wave. */
export type ControlApi = {
  pause(ctx: unknown): Promise<ControlState>;
  resume(ctx: unknown): Promise<ControlState>;
  stop(ctx: unknown, reason?: string): Promise<ControlState>;
  cancel(ctx: unknown, reason?: string): Promise<ControlState>;
  cancelVm(ctx: unknown, req: { readonly vmId: string; readonly reason?: string }): Promise<ControlState>;
  watch(ctx: unknown, req: { readonly awakeableId: string; readonly seen: number }): Promise<void>;
  get(ctx: unknown): Promise<ControlState>;
  clear(ctx: unknown): Promise<void>;
};

/** `VmshiftWave/<planId>`: a wave. */
export type WaveApi = {
  run(ctx: unknown, input: WaveInput): Promise<FleetReport>;
  status(ctx: unknown, req?: { readonly since?: number; readonly limit?: number }): Promise<WaveStatus>;
  plan(ctx: unknown): Promise<WaveInput["plan"] | null>;
  pause(ctx: unknown): Promise<ControlState>;
  resume(ctx: unknown): Promise<ControlState>;
  stop(ctx: unknown, reason?: string): Promise<ControlState>;
  cancel(ctx: unknown, reason?: string): Promise<ControlState>;
  cancelVm(ctx: unknown, req: { readonly vmId: string; readonly reason?: string }): Promise<ControlState>;
};
