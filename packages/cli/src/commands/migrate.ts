/** `vmshift plan`, `migrate`, `status`, `attach`, `cancel`: one migration at a time. Flags are read before connecting: a usage error asks nothing of the platform. */
import { type MigrationRequest, isAvailable, recommend } from "@vmshift/core";
import { type Command, type CommandContext, type DescribedOptionTable, UsageError, flagNumber, flagString } from "../command.ts";
import { duration, progressLine } from "../format.ts";
import { describeResult, exitFor, follow } from "../follow.ts";
import { EXIT } from "../io.ts";
import { inProcessReason } from "../profiles.ts";

/**
 * The request the flags describe. Where the VM goes is always said: `--to <host>`, or `--any-host`
 * to let the platform's scheduler choose (never by leaving `--to` out or empty).
 */
function requestFrom(ctx: CommandContext): MigrationRequest {
  const vmId = ctx.positionals[0]!;
  const to = flagString(ctx.flags, "to");
  const anyHost = ctx.flags["any-host"] === true;
  if (to !== undefined && anyHost) throw new UsageError("--to and --any-host exclude each other: name the host, or let the platform choose");
  if (to === undefined && !anyHost) throw new UsageError(`say where ${vmId} goes: --to <host>, or --any-host to let the platform choose`);
  const maxDowntimeMs = flagNumber(ctx.flags, "max-downtime");
  const bandwidth = flagNumber(ctx.flags, "bandwidth");
  return {
    vmId,
    ...(to === undefined ? {} : { targetHostId: to }),
    ...(ctx.flags["cold"] ? { mode: "cold" as const } : {}),
    ...(maxDowntimeMs === undefined ? {} : { maxDowntimeMs }),
    ...(bandwidth === undefined ? {} : { bandwidthBytesPerSecond: bandwidth }),
    ...(ctx.flags["post-copy"] ? { allowPostCopy: true } : {}),
    ...(ctx.flags["auto-converge"] ? { allowAutoConverge: true } : {}),
  };
}

const MIGRATE_OPTIONS = {
  to: { type: "string", value: "host", description: "the host to move the VM to (its id, as `vmshift hosts` lists it)", ifEmpty: "to let the platform choose the host, use --any-host" },
  "any-host": { type: "boolean", description: "let the platform's scheduler choose the target host (instead of --to)" },
  cold: { type: "boolean", description: "cold migration: stop the VM, move it, start it on the target (default: live)" },
  "max-downtime": { type: "string", value: "ms", description: "longest pause the live switch-over may take, ms (default: the platform's)" },
  bandwidth: { type: "string", value: "B/s", description: "cap on the transfer rate, bytes per second (default: the platform's)" },
  "post-copy": { type: "boolean", description: "allow post-copy: switch to the target before all memory is copied if pre-copy does not converge" },
  "auto-converge": { type: "boolean", description: "allow auto-converge: slow the guest's vCPUs down until pre-copy converges" },
} as const satisfies DescribedOptionTable;

const TIMEOUT_OPTIONS = {
  timeout: { type: "string", value: "ms", description: "stop waiting after this long, ms, and exit 6; the migration goes on (default: wait to the end)" },
} as const satisfies DescribedOptionTable;

export const planCommand: Command = {
  name: "plan",
  summary: "preflight checks and the planner's advice for moving a VM",
  usage: "plan <vm> (--to <host> | --any-host) [options]",
  options: {
    ...MIGRATE_OPTIONS,
    bandwidth: { type: "string", value: "B/s", description: "transfer rate, bytes per second: the request's cap, and with --dirty-rate the rate the planner models" },
    "dirty-rate": { type: "string", value: "B/s", description: "how fast the guest dirties memory, bytes per second: with --bandwidth, the planner models the move and advises" },
  } satisfies DescribedOptionTable,
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const request = requestFrom(ctx);
    const dirty = flagNumber(ctx.flags, "dirty-rate");
    const bandwidth = flagNumber(ctx.flags, "bandwidth");
    const client = await ctx.client();
    const report = await client.preflight(request);
    const vm = await client.getVm(request.vmId);
    const table = client.capabilities();
    const advice =
      dirty !== undefined && bandwidth !== undefined && vm.memoryBytes !== undefined
        ? recommend(
            { memoryBytes: vm.memoryBytes, dirtyRateBytesPerSecond: dirty, bandwidthBytesPerSecond: bandwidth, ...(request.maxDowntimeMs === undefined ? {} : { maxDowntimeMs: request.maxDowntimeMs }) },
            { autoConverge: isAvailable(table, "migration.autoConverge"), postCopy: isAvailable(table, "migration.postCopy"), live: isAvailable(table, "migration.live") },
          )
        : undefined;
    if (ctx.json) {
      ctx.io.stdout.write(`${JSON.stringify({ preflight: report, ...(advice ? { advice: { strategy: advice.strategy, reason: advice.reason, plan: { ...advice.plan, roundsDetail: undefined } } } : {}) })}\n`);
    } else {
      ctx.io.stdout.write(`${report.ok ? "✔ preflight passed" : "✘ preflight found blocking problems"} for ${report.vmId}${report.targetHostId ? ` → ${report.targetHostId}` : " (scheduler picks the target)"} (${report.mode})\n`);
      for (const c of report.checks) ctx.io.stdout.write(`  ${c.severity.padEnd(7)} ${c.category.padEnd(13)} ${c.id}: ${c.message}\n`);
      if (advice) {
        ctx.io.stdout.write(`advice: ${advice.strategy} — ${advice.reason}\n`);
        ctx.io.stdout.write(`  model: ${advice.plan.rounds} round(s), ${duration(advice.plan.totalTimeMs)} total, ${duration(advice.plan.downtimeMs)} downtime, converges: ${advice.plan.converges}\n`);
      }
    }
    return report.ok ? EXIT.ok : EXIT.migrationFailed;
  },
};

export const migrateCommand: Command = {
  name: "migrate",
  summary: "migrate a VM (live by default) and follow it to the end",
  usage: "migrate <vm> (--to <host> | --any-host) [options]",
  options: {
    ...MIGRATE_OPTIONS,
    ...TIMEOUT_OPTIONS,
    "cancel-on-timeout": { type: "boolean", description: "when --timeout expires, cancel the migration and wait until it settles (still exit 6)" },
  } satisfies DescribedOptionTable,
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const request = requestFrom(ctx);
    const timeout = flagNumber(ctx.flags, "timeout");
    const client = await ctx.client();
    const task = await client.startMigration(request);
    const inProcess = inProcessReason(ctx.profile());
    if (!ctx.json) ctx.io.stderr.write(`migration ${task.id} started (${inProcess ? `${inProcess}, so it ends with this command` : `attach later with: vmshift attach ${task.id}`})\n`);
    return follow(task, ctx.io, {
      json: ctx.json,
      ...(timeout === undefined ? {} : { maxWaitMs: timeout }),
      ...(ctx.flags["cancel-on-timeout"] ? { cancelOnTimeout: true } : {}),
      ...(inProcess ? { inProcess } : {}),
    });
  },
};

export const statusCommand: Command = {
  name: "status",
  summary: "show a migration's current state",
  usage: "status <migration>",
  options: {},
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const client = await ctx.client();
    const s = await client.getMigration(ctx.positionals[0]!);
    if (ctx.json) ctx.io.stdout.write(`${JSON.stringify(s)}\n`);
    else ctx.io.stdout.write(`${s.id}  ${s.vmId}  ${s.sourceHostId ?? "?"} → ${s.targetHostId ?? "?"}  ${s.mode}\n${s.result ? describeResult(s.result) : progressLine(s.progress)}\n`);
    return s.result ? exitFor(s.result) : EXIT.ok;
  },
};

export const attachCommand: Command = {
  name: "attach",
  summary: "follow an in-flight migration by id (e.g. after a restart)",
  usage: "attach <migration> [options]",
  options: TIMEOUT_OPTIONS,
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const timeout = flagNumber(ctx.flags, "timeout");
    const client = await ctx.client();
    const task = await client.attachMigration(ctx.positionals[0]!);
    const inProcess = inProcessReason(ctx.profile());
    return follow(task, ctx.io, { json: ctx.json, ...(timeout === undefined ? {} : { maxWaitMs: timeout }), ...(inProcess ? { inProcess } : {}) });
  },
};

export const cancelCommand: Command = {
  name: "cancel",
  summary: "cancel a migration and wait until it settles",
  usage: "cancel <migration>",
  options: {},
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const client = await ctx.client();
    const result = await client.cancelMigration(ctx.positionals[0]!);
    ctx.io.stdout.write(ctx.json ? `${JSON.stringify({ event: "result", phase: result.outcome, ...result })}\n` : `${describeResult(result)}\n`);
    return exitFor(result);
  },
};
