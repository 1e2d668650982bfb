/**
 * Warm moves from Hyper-V through resilient change tracking (rct-scripts.ts): each pass takes a
 * recovery checkpoint (the one its CreateSnapshot returned, by Id), names it
 * `vmshift-<move id>-<pass>` and reads the frozen VHDX files through the mounted admin shares (a delta pass only the ranges GetVirtualDiskChanges reports since the
 * previous pass's reference point); closing the pass turns the checkpoint into a reference point.
 * The final pass runs with the VM off: no checkpoint, the VHDX files are still. `finish` removes the
 * move's checkpoints and reference points.
 */
import { VmshiftError } from "@vmshift/core";
import type { MoveCheck } from "../checks.ts";
import type { DiskDefinition, VmDefinition } from "../definition.ts";
import type { ChangedExtent, SpiContext, WarmPassDisk, WarmSource } from "../spi.ts";
import type { HypervFacts } from "./definition.ts";
import { moveSourceWarmCheckpoint, moveSourceWarmDrop, moveSourceWarmFinish, moveSourceWarmPass, moveSourceWarmSettle } from "./rct-scripts.ts";
import type { HypervScript } from "./scripts.ts";
import { madeCheckpointId } from "./warm-checkpoint.ts";

/** What the warm source needs from the Hyper-V source. */
export interface HypervWarmDeps {
  /** Runs a script for a VM with extra parameters (vmId and hostList are added). */
  run(script: HypervScript, vmId: string, operation: string, ctx: SpiContext, extra: Readonly<Record<string, string | number | boolean>>): Promise<unknown>;
  /** The local path of a VHDX path on the VM's host, or undefined when no share covers it. */
  localOf(definition: VmDefinition, windowsPath: string): string | undefined;
  /** What readDefinition learned about the VM. */
  facts(vmId: string): HypervFacts | undefined;
}

interface PassDisk {
  readonly controllerType: string | number;
  readonly controllerNumber: number;
  readonly controllerLocation: number;
  readonly path: string;
  readonly changes: readonly { readonly offset: number; readonly length: number }[] | null;
}

const CONTROLLER: Readonly<Record<number, string>> = { 0: "IDE", 1: "SCSI" };

/** Hyper-V's RCT as a move's change tracking. */
export function hypervWarmSource(deps: HypervWarmDeps): WarmSource {
  const prefix = (moveId: string) => `vmshift-${moveId}-`;
  return {
    async check(definition) {
      const checks: MoveCheck[] = [];
      const version = Number.parseFloat(deps.facts(definition.id)?.version ?? "0");
      if (!(version >= 8)) checks.push({ id: "source.changeTracking", category: "compatibility", severity: "error", subject: definition.name, message: `${definition.name} has configuration version ${deps.facts(definition.id)?.version || "unknown"}; resilient change tracking needs 8.0 or later (Update-VMVersion)` });
      for (const d of definition.disks) {
        if (d.device === "disk" && !d.rawDevice && d.format !== "vhdx") checks.push({ id: "disk.changeTracking", category: "storage", severity: "error", subject: d.key, message: `disk ${d.key} is ${d.format === "vpc" ? "a VHD" : "not a VHDX"}; resilient change tracking tracks VHDX files only (Convert-VHD first)` });
      }
      if (definition.powerState !== "running") checks.push({ id: "vm.state", category: "state", severity: "error", subject: definition.name, message: `warm moves copy while ${definition.name} runs; it is ${definition.powerState}: move it cold` });
      return checks;
    },
    async beginPass(definition, disks, options, ctx) {
      const name = `${prefix(options.moveId)}${options.pass}`;
      // The checkpoint is the one CreateSnapshot returned (by Id), never the newest: see warm-checkpoint.ts.
      const made = options.final === true ? "" : madeCheckpointId(definition, await deps.run(moveSourceWarmCheckpoint, definition.id, "move.warmPass", ctx, {}));
      let data: { checkpoint: string | null; disks: PassDisk[] | null };
      try {
        data = (await deps.run(moveSourceWarmPass, definition.id, "move.warmPass", ctx, { checkpointId: made, checkpointName: name, since: options.since ?? "" })) as typeof data;
      } catch (e) {
        // Not yet named as the move's, so finish would not find it: remove it now (best effort; the error is the pass's).
        if (made !== "") await deps.run(moveSourceWarmDrop, definition.id, "move.warmPass", { signal: AbortSignal.timeout(60_000) }, { checkpointId: made }).catch(() => undefined);
        throw e;
      }
      const found = data.disks ?? [];
      const byKey = new Map<string, WarmPassDisk>();
      for (const disk of disks) {
        const slot = found.find((f) => `${typeof f.controllerType === "number" ? CONTROLLER[f.controllerType] : f.controllerType} ${f.controllerNumber}:${f.controllerLocation}` === disk.native?.["controller"]);
        if (!slot) throw fail(definition, disk, "is not in the pass's checkpoint");
        const location = deps.localOf(definition, slot.path);
        if (!location) throw fail(definition, disk, `(${slot.path}) is under no mounted share`);
        if (options.since !== undefined && slot.changes === null) throw fail(definition, disk, "has no change list against the previous pass");
        const changes: readonly ChangedExtent[] | undefined = options.since === undefined ? undefined : (slot.changes ?? []).map((c) => ({ offset: c.offset, length: c.length }));
        byKey.set(disk.key, { location, format: "vhdx", changedExtents: async () => changes });
      }
      const settle = data.checkpoint !== null;
      return {
        pass: options.pass,
        checkpoint: settle ? name : (options.since ?? name),
        disks: byKey,
        close: async () => {
          if (settle) await deps.run(moveSourceWarmSettle, definition.id, "move.warmPass", { signal: new AbortController().signal }, { checkpointName: name, previousName: options.since ?? "" });
        },
      };
    },
    async finish(definition, { moveId }, ctx) {
      await deps.run(moveSourceWarmFinish, definition.id, "move.warmFinish", ctx, { prefix: prefix(moveId) });
    },
  };
}

function fail(definition: VmDefinition, disk: DiskDefinition, what: string): VmshiftError {
  return new VmshiftError("MIGRATION_FAILED", `disk ${disk.key} of ${definition.name} ${what}`, { adapter: "hyperv", operation: "move.warmPass", subject: definition.id });
}
