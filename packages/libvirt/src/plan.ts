/**
 * The planner's advice for one live migration, from what libvirt can measure before it starts:
 * the guest's dirty rate (`domdirtyrate-calc` + `domstats --dirtyrate`, one second of sampling),
 * its memory, and the bandwidth cap (the request's, else the domain's `migrate-getspeed`).
 * The model runs QEMU's switch-over loop (`switchoverCheckIntervalMs`), as the lab bench validated.
 */
import { type NormalizedMigrationRequest, type OperationContext, type PreflightCheck, recommend } from "@vmshift/core";
import { parseDirtyRate, parseMigrateSpeed } from "./resources/parse.ts";
import { type CallContext, type Virsh, dom } from "./resources/virsh.ts";

const MIB = 1024 ** 2;
/** QEMU checks the switch-over once per rate-limit window (100 ms) when a bandwidth cap is set. */
const QEMU_CAPPED_STEP_MS = 100;

/** Measures the guest's dirty rate, MiB/s; undefined when libvirt/QEMU cannot. */
export async function measureDirtyRate(virsh: Virsh, hostId: string, domain: string, ctx: OperationContext, call: CallContext): Promise<number | undefined> {
  const start = await virsh.raw(hostId, "domdirtyrate-calc", [dom(domain), { option: "--seconds", value: 1 }], call);
  if (start.code !== 0) return undefined;
  for (let attempt = 0; attempt < 4; attempt++) {
    await ctx.clock.sleep(attempt === 0 ? 1100 : 500, ctx.signal);
    const stats = await virsh.raw(hostId, "domstats", [{ flag: "--dirtyrate" }, { value: domain }], call);
    if (stats.code !== 0) return undefined;
    const rate = parseDirtyRate(stats.stdout);
    if (rate.done) return rate.mibPerSecond;
  }
  return undefined;
}

/** The `libvirt.plan` preflight check: info when pre-copy converges, a warning with the advice otherwise. */
export async function planCheck(virsh: Virsh, request: NormalizedMigrationRequest, source: { hostId: string; uuid: string; memoryBytes?: number }, ctx: OperationContext, call: CallContext): Promise<PreflightCheck> {
  const id = "libvirt.plan";
  let bandwidth = request.bandwidthBytesPerSecond;
  if (bandwidth === undefined) {
    const speed = await virsh.raw(source.hostId, "migrate-getspeed", [dom(source.uuid)], call);
    const mib = speed.code === 0 ? parseMigrateSpeed(speed.stdout) : undefined;
    if (mib !== undefined) bandwidth = mib * MIB;
  }
  if (bandwidth === undefined || source.memoryBytes === undefined) {
    return { id, category: "policy", severity: "info", message: "no bandwidth cap is set, so the planner cannot predict this migration (set bandwidthBytesPerSecond for a prediction)" };
  }
  const dirty = await measureDirtyRate(virsh, source.hostId, source.uuid, ctx, call);
  if (dirty === undefined) return { id, category: "policy", severity: "info", message: "the guest's dirty rate could not be measured (domdirtyrate-calc), so the planner cannot predict this migration" };
  const advice = recommend(
    { memoryBytes: source.memoryBytes, dirtyRateBytesPerSecond: dirty * MIB, bandwidthBytesPerSecond: bandwidth, switchoverCheckIntervalMs: QEMU_CAPPED_STEP_MS, ...(request.maxDowntimeMs === undefined ? {} : { maxDowntimeMs: request.maxDowntimeMs }) },
    { autoConverge: request.allowAutoConverge === true, postCopy: request.allowPostCopy === true },
  );
  const native = { dirtyRateBytesPerSecond: dirty * MIB, bandwidthBytesPerSecond: bandwidth, strategy: advice.strategy, converges: advice.plan.converges, predictedTotalTimeMs: Math.round(advice.plan.totalTimeMs), predictedDowntimeMs: Math.round(advice.plan.downtimeMs) };
  if (advice.plan.converges) return { id, category: "policy", severity: "info", message: `pre-copy should converge: about ${Math.round(advice.plan.totalTimeMs / 1000)} s at ${Math.round(bandwidth / MIB)} MiB/s with the guest dirtying ${dirty} MiB/s`, native };
  const how = advice.strategy === "live-post-copy" ? "post-copy (allowed) will finish it" : advice.strategy === "live-auto-converge" ? "auto-converge (allowed) should finish it" : "allow post-copy or auto-converge, raise the bandwidth, or move it cold";
  return { id, category: "policy", severity: "warning", message: `pre-copy will not converge (guest dirties ${dirty} MiB/s, cap ${Math.round(bandwidth / MIB)} MiB/s): ${how}`, native };
}
