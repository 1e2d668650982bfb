/**
 * Which recovery checkpoint a warm pass owns: the one its CreateSnapshot returned
 * ({@link moveSourceWarmCheckpoint}'s `made`), found among the VM's recovery checkpoints by Id.
 * Never the newest one: a backup product may make a recovery checkpoint of the same VM at the same
 * moment, and taking it would rename, convert and destroy someone else's checkpoint as ours.
 */
import { VmshiftError } from "@vmshift/core";
import type { VmDefinition } from "../definition.ts";
import type { moveSourceWarmCheckpoint } from "./rct-scripts.ts";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** 5.1's ConvertTo-Json prints a single-element array as its element. */
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/**
 * The Id (lower case) of the recovery checkpoint CreateSnapshot made, from
 * {@link moveSourceWarmCheckpoint}'s `data`; a `MIGRATION_FAILED` VmshiftError when it returned
 * none, an Id that is not a GUID, or one that is not among the VM's recovery checkpoints.
 */
export function madeCheckpointId(definition: VmDefinition, data: unknown): string {
  const made = (data as { made?: unknown } | null)?.made;
  const fail = (what: string) => new VmshiftError("MIGRATION_FAILED", `the recovery checkpoint of ${definition.name}: ${what}`, { adapter: "hyperv", operation: "move.warmPass", subject: definition.id });
  if (typeof made !== "string" || made === "") throw fail("CreateSnapshot returned no checkpoint (neither ResultingSnapshot nor a job's affected element)");
  if (!GUID.test(made)) throw fail("CreateSnapshot returned a checkpoint whose InstanceID holds no Id");
  const id = made.toLowerCase();
  const recovery = list((data as { recovery?: unknown }).recovery).map((c) => String((c as { id?: unknown } | null)?.id ?? "").toLowerCase());
  if (!recovery.includes(id)) throw fail(`the checkpoint CreateSnapshot made (${id}) is not among its recovery checkpoints`);
  return id;
}
