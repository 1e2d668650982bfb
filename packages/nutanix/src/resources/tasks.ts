/** Tasks: `GET /api/prism/v4.0/config/tasks/{extId}` and the cancel action. */
import { VmshiftError } from "@vmshift/core";
import { buildPath } from "../escape.ts";
import type { NutanixTransport } from "../transport.ts";
import type { V4Envelope, V4Task, V4TaskStatus } from "./v4-types.ts";

/** `GET …/config/tasks/{extId}`. */
export async function getTask(t: NutanixTransport, taskExtId: string, options: { operation?: string; signal?: AbortSignal } = {}): Promise<V4Task> {
  const res = await t.request<V4Envelope<V4Task>>({
    method: "GET",
    path: buildPath`/api/prism/v4.0/config/tasks/${taskExtId}`,
    operation: options.operation ?? "migration.get",
    subject: taskExtId,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!res.data.data) throw new VmshiftError("INTERNAL", "Prism answered a task GET without data", { adapter: "nutanix", operation: "migration.get", subject: taskExtId });
  return res.data.data;
}

/** `POST …/config/tasks/{extId}/$actions/cancel` (idempotent per the spec; no If-Match). */
export async function cancelTask(t: NutanixTransport, taskExtId: string, options: { signal?: AbortSignal } = {}): Promise<void> {
  await t.request({
    method: "POST",
    path: buildPath`/api/prism/v4.0/config/tasks/${taskExtId}/$actions/cancel`,
    body: {},
    operation: "migration.cancel",
    subject: taskExtId,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** Terminal task statuses. */
export function isTaskTerminal(status: V4TaskStatus | undefined): boolean {
  return status === "SUCCEEDED" || status === "FAILED" || status === "CANCELED";
}
