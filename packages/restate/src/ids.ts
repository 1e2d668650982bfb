/**
 * The names and keys of a wave: its plan id, its steps' keys, the request id each step starts its
 * migration with (derived from plan and step, so a retried or replayed start finds the first
 * migration on every platform), and the keys of the slot objects that hold the limits.
 */
import { createHash } from "node:crypto";
import type { FleetPlan } from "@vmshift/core";

/** Restate names of the handlers this package serves. */
export const SERVICE_NAMES = { wave: "VmshiftWave", step: "VmshiftStep", slots: "VmshiftSlots", control: "VmshiftWaveControl" } as const;

const PLAN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Whether `id` can name a wave: 1–100 of `A–Z a–z 0–9 . _ -`, starting with a letter or digit. */
export function isPlanId(id: string): boolean {
  return PLAN_ID.test(id);
}

/**
 * The default id of a plan: `<kind>-` and 16 hex digits of the SHA-256 of its JSON. The same plan
 * file gets the same id, so running it twice attaches to the first wave instead of starting another.
 */
export function planIdOf(plan: FleetPlan): string {
  return `${plan.kind}-${createHash("sha256").update(JSON.stringify(plan)).digest("hex").slice(0, 16)}`;
}

/** The key of a step's workflow: `<planId>:<order>`. */
export function stepKey(planId: string, order: number): string {
  return `${planId}:${order}`;
}

/**
 * The request id step `order` of plan `planId` starts its migration with: a UUID (version 8, the
 * SHA-256 of plan id, position and VM id), so platforms that want UUIDs (Nutanix's
 * `NTNX-Request-Id`) accept it, and every retry of the same step sends the same one.
 */
export function stepRequestId(planId: string, order: number, vmId: string): string {
  const h = createHash("sha256").update(`vmshift-wave\0${planId}\0${order}\0${vmId}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x80; // version 8
  h[8] = (h[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The key of the slot object of a host. */
export function hostSlotKey(scope: string, hostId: string): string {
  return `${scope}/host/${hostId}`;
}

/** The key of the slot object of a cluster. */
export function clusterSlotKey(scope: string, clusterId: string): string {
  return `${scope}/cluster/${clusterId}`;
}
