/**
 * `vmshift evacuate` and `vmshift rebalance`: build the plan, show it (a table; `--json`: one
 * `plan` line), stop there with `--dry-run`, else run it with one live progress line per
 * in-flight migration (NDJSON events with `--json`) and finish with where every VM is.
 * Ctrl-C asks whether to cancel in-flight migrations or let them finish and start no more.
 */
import {
  type FleetEvent,
  type FleetPlan,
  type FleetReport,
  type LimitOverrides,
  type MigrationProgress,
  type PlanOptions,
  type VmOutcome,
  executePlan,
  planEvacuation,
  planRebalance,
} from "@vmshift/core";
import { type Command, type CommandContext, type DescribedOptionTable, UsageError, flagNumber, flagString } from "../command.ts";
import { bytes, duration, progressLine, table } from "../format.ts";
import { EXIT, type CliIo, type ExitCode } from "../io.ts";

const LIMIT_OPTIONS = {
  "max-per-source": { type: "string", value: "n", description: "at most n migrations at once out of one host (default: the platform's documented limit)" },
  "max-per-target": { type: "string", value: "n", description: "at most n migrations at once into one host (default: the platform's documented limit)" },
  "max-per-cluster": { type: "string", value: "n", description: "at most n migrations at once per cluster (default: the platform's documented limit)" },
  "max-in-flight": { type: "string", value: "n", description: "at most n migrations at once in all (default 20)" },
  "dry-run": { type: "boolean", description: "show the plan and change nothing (exit 3 when it cannot meet its goal)" },
  "stop-on-failure": { type: "boolean", description: "start no more migrations after the first failure (in-flight ones finish)" },
  "max-downtime": { type: "string", value: "ms", description: "longest pause each live switch-over may take, ms (default: the platform's)" },
} as const satisfies DescribedOptionTable;

function positiveInt(ctx: CommandContext, name: string): number | undefined {
  const n = flagNumber(ctx.flags, name);
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw new UsageError(`--${name} must be an integer ≥ 1, got ${n}`);
  return n;
}

function planOptions(ctx: CommandContext): PlanOptions {
  const limits: Record<string, number> = {};
  for (const [flag, key] of [["max-per-source", "perSourceHost"], ["max-per-target", "perTargetHost"], ["max-per-cluster", "perCluster"], ["max-in-flight", "maxInFlight"]] as const) {
    const n = positiveInt(ctx, flag);
    if (n !== undefined) limits[key] = n;
  }
  const maxDowntimeMs = flagNumber(ctx.flags, "max-downtime");
  return {
    ...(Object.keys(limits).length ? { limits: limits as LimitOverrides } : {}),
    ...(ctx.flags["stop-on-failure"] ? { stopOnFailure: true } : {}),
    ...(maxDowntimeMs === undefined ? {} : { migration: { maxDowntimeMs } }),
  };
}

export const evacuateCommand: Command = {
  name: "evacuate",
  summary: "move every VM off a host (plan first; --dry-run shows the plan only)",
  usage: "evacuate <host> [options]",
  options: {
    ...LIMIT_OPTIONS,
    "no-cold": { type: "boolean", description: "never move a running VM cold: a VM that cannot move live stays (default: it moves cold)" },
    preflight: { type: "boolean", description: "run the platform's preflight for every planned move and try the next target on a refusal" },
  } satisfies DescribedOptionTable,
  positionals: { min: 1, max: 1 },
  async run(ctx) {
    const options = { ...planOptions(ctx), ...(ctx.flags["no-cold"] ? { allowCold: false } : {}), ...(ctx.flags["preflight"] ? { preflight: true } : {}) };
    const client = await ctx.client();
    const plan = await planEvacuation(client, ctx.positionals[0]!, options);
    return runPlan(ctx, plan, (p) => p.skipped.length > 0);
  },
};

export const rebalanceCommand: Command = {
  name: "rebalance",
  summary: "even out memory across hosts, or --consolidate onto fewer hosts and free the rest",
  usage: "rebalance [options]",
  options: {
    ...LIMIT_OPTIONS,
    consolidate: { type: "boolean", description: "pack VMs onto fewer hosts and free the rest (default: even out memory use)" },
    cluster: { type: "string", value: "id", description: "only this cluster (default: every cluster, each on its own)" },
    tolerance: { type: "string", value: "fraction", description: "balance: stop when hosts' memory use differs by at most this fraction, 0–1 (default 0.05)" },
    "max-migrations": { type: "string", value: "n", description: "most migrations one plan proposes (default 50)" },
    "min-hosts": { type: "string", value: "n", description: "consolidate: keep at least n hosts per cluster (default 1)" },
    "allow-cold": { type: "boolean", description: "move running VMs that cannot move live cold (stopped while they move; default: they stay)" },
  } satisfies DescribedOptionTable,
  async run(ctx) {
    const tolerance = flagNumber(ctx.flags, "tolerance");
    const maxMigrations = positiveInt(ctx, "max-migrations");
    const minHosts = positiveInt(ctx, "min-hosts");
    const cluster = flagString(ctx.flags, "cluster");
    const options = planOptions(ctx);
    const client = await ctx.client();
    const plan = await planRebalance(client, { goal: ctx.flags["consolidate"] ? "consolidate" : "balance" }, {
      ...options,
      ...(tolerance === undefined ? {} : { tolerance }),
      ...(maxMigrations === undefined ? {} : { maxMigrations }),
      ...(minHosts === undefined ? {} : { minHosts }),
      ...(cluster === undefined ? {} : { clusterId: cluster }),
      ...(ctx.flags["allow-cold"] ? { allowCold: true } : {}),
    });
    return runPlan(ctx, plan, () => false);
  },
};

/** Fleet commands, in help order. */
export const fleetCommands: readonly Command[] = [evacuateCommand, rebalanceCommand];

/** Shows the plan, stops on a dry run, else runs it; `incomplete` tells whether the plan leaves its goal unmet. */
async function runPlan(ctx: CommandContext, plan: FleetPlan, incomplete: (plan: FleetPlan) => boolean): Promise<ExitCode> {
  const { io, json } = ctx;
  if (json) io.stdout.write(`${JSON.stringify({ event: "plan", dryRun: ctx.flags["dry-run"] === true, plan })}\n`);
  else io.stdout.write(renderPlan(plan));
  if (ctx.flags["dry-run"]) {
    if (!json) io.stdout.write("dry run: nothing was changed\n");
    return incomplete(plan) ? EXIT.migrationFailed : EXIT.ok;
  }
  if (plan.migrations.length === 0) {
    if (!json) io.stdout.write("nothing to do\n");
    else io.stdout.write(`${JSON.stringify({ event: "result", report: emptyReport(plan) })}\n`);
    return incomplete(plan) ? EXIT.migrationFailed : EXIT.ok;
  }
  const client = await ctx.client();
  return followRun(ctx, executePlan(client, plan), incomplete(plan));
}

/**
 * A running plan as the display needs it: the in-process `FleetExecution`, or a durable wave
 * followed from outside (`@vmshift/restate`'s `WaveRun`). Same events, same report.
 */
export interface FleetRun {
  readonly plan: FleetPlan;
  events(options?: { readonly signal?: AbortSignal }): AsyncIterable<FleetEvent>;
  /** The final report; a run followed from outside may reject (its engine stopped answering, or it was detached). */
  report(): Promise<FleetReport>;
  cancel(reason?: string): unknown;
  stop(reason?: string): unknown;
}

/** A run that goes on without this process (a durable wave): Ctrl-C can also leave it running. */
export interface Detachable {
  /** Stops following; the run's `report()` rejects. */
  detach(): void;
  /** Printed after detaching: how to follow it again. */
  readonly hint: string;
}

/**
 * Shows a running plan to its end — one live line per in-flight migration (NDJSON with `--json`),
 * the report last — and returns the exit code. Ctrl-C asks whether to cancel or stop it (and, for a
 * detachable run, whether to leave it running).
 */
export async function followRun(ctx: CommandContext, run: FleetRun, incomplete: boolean, detachable?: Detachable): Promise<ExitCode> {
  const { io, json } = ctx;
  const question: Question = { open: false, asked: 0, ended: new AbortController(), detached: false };
  const unsubscribe = io.onInterrupt?.(() => {
    if (!question.open && !question.ended.signal.aborted) void interrupt(io, run, question, detachable);
  });
  const rendering = new AbortController();
  try {
    const render = json ? renderJson(io, run, rendering.signal) : renderHuman(io, run, question, rendering.signal);
    let report: FleetReport;
    try {
      report = await run.report();
    } catch (error) {
      rendering.abort();
      question.ended.abort();
      await render.catch(() => undefined);
      if (question.detached && detachable) {
        io.stderr.write(`${detachable.hint}\n`);
        return EXIT.detached;
      }
      throw error;
    }
    question.open = false; // the plan ended first: the question is withdrawn (and ends its line)
    question.ended.abort();
    await render;
    if (!json) io.stdout.write(renderReport(report));
    return exitForReport(report, incomplete);
  } finally {
    unsubscribe?.();
    question.ended.abort();
  }
}

/** The Ctrl-C question, shared with the renderer: it holds its output while the question is open. */
interface Question {
  open: boolean;
  /** How many times it was asked (the renderer starts a new live block after each). */
  asked: number;
  /** Aborted when the plan ends: withdraws an open question. */
  readonly ended: AbortController;
  /** Set when the user left a detachable run running. */
  detached: boolean;
}

async function interrupt(io: CliIo, run: FleetRun, question: Question, detachable: Detachable | undefined): Promise<void> {
  // No terminal to ask on, Ctrl-C again or end of input: cancel an in-process plan (it ends with
  // this process anyway); leave a durable one running.
  let answer = detachable ? "d" : "c";
  if (io.prompt) {
    question.open = true;
    question.asked++;
    try {
      const q = detachable
        ? "Cancel the wave's in-flight migrations too (c), let them finish and start no more (s), or leave the wave running and stop watching (d)? [c/s/d] "
        : "Cancel the in-flight migrations too (c), or let them finish and start no more (s)? [c/s] ";
      answer = (await io.prompt(q, { signal: question.ended.signal })).trim().toLowerCase();
    } catch {
      if (question.ended.signal.aborted) return;
    } finally {
      question.open = false;
    }
  }
  if (detachable && answer.startsWith("d")) {
    question.detached = true;
    detachable.detach();
  } else if (answer.startsWith("s")) {
    io.stderr.write("starting no more migrations; in-flight ones finish…\n");
    await Promise.resolve(run.stop("interrupted: no more migrations started")).catch((e: unknown) => io.stderr.write(`stop failed: ${(e as Error).message}\n`));
  } else {
    io.stderr.write("cancelling the plan…\n");
    await Promise.resolve(run.cancel("interrupted: plan cancelled")).catch((e: unknown) => io.stderr.write(`cancel failed: ${(e as Error).message}\n`));
  }
}

/** Exit code: 5 when a VM is left stopped (partial), 3 on a failure or an unmet goal, 4 when something was cancelled, else 0. */
export function exitForReport(report: FleetReport, incomplete: boolean): ExitCode {
  if (report.outcomes.some((o) => o.error?.code === "MIGRATION_PARTIAL")) return EXIT.partial;
  if (report.counts.failed > 0 || incomplete) return EXIT.migrationFailed;
  if (report.counts.cancelled > 0) return EXIT.cancelled;
  return EXIT.ok;
}

function emptyReport(plan: FleetPlan): Pick<FleetReport, "kind" | "adapter" | "counts" | "freedHostIds" | "ok"> {
  return { kind: plan.kind, adapter: plan.adapter, counts: { completed: 0, failed: 0, cancelled: 0, skipped: plan.skipped.length }, freedHostIds: plan.freedHostIds, ok: plan.skipped.length === 0 };
}

function limitsLine(plan: FleetPlan): string {
  const l = plan.limits;
  const parts = [`per source ${l.perSourceHost ?? "∞"}`, `per target ${l.perTargetHost ?? "∞"}`, `per cluster ${l.perCluster ?? "∞"}`, `in flight ${l.maxInFlight ?? "∞"}`];
  const hostCaps = new Set(Object.values(l.perHost));
  if (hostCaps.size > 0) parts.push(`per host in+out ${[...hostCaps].join("/")}`);
  return `limits: ${parts.join(", ")} — ${l.source}`;
}

/** The plan as a table, with skips and notes. */
export function renderPlan(plan: FleetPlan): string {
  const out = [`${plan.summary}`, limitsLine(plan), ""];
  if (plan.migrations.length > 0) {
    // A move step names the VM by the source's id (an extId, a moref…): the name a human knows comes first.
    const vm = (m: FleetPlan["migrations"][number]) => (m.move && m.vmName && m.vmName !== m.vmId ? `${m.vmName} (${m.vmId})` : m.vmId);
    const rows = plan.migrations.map((m) => [String(m.order + 1), vm(m), m.sourceHostId ?? "?", m.targetHostId ?? "(scheduler)", m.move ? `${m.move.mode} move` : m.strategy, bytes(m.reservedBytes), m.estimatedMs === undefined ? "-" : duration(m.estimatedMs), m.reason]);
    out.push(table(["#", "VM", "FROM", "TO", "HOW", "RESERVED", "EST.", "WHY"], rows), "");
  }
  for (const s of plan.skipped) out.push(`✘ ${s.vmId} stays on ${s.sourceHostId ?? "?"}: ${s.code}: ${s.reason}`);
  for (const n of plan.notes) if (!plan.skipped.some((s) => n.startsWith(s.vmId))) out.push(`· ${n}`);
  if (plan.freedHostIds.length > 0) out.push(`hosts freed when complete: ${plan.freedHostIds.join(", ")}`);
  return `${out.join("\n").trimEnd()}\n`;
}

/** The report: where every VM is. */
export function renderReport(report: FleetReport): string {
  const rows = report.outcomes.map((o) => [o.vmId, o.status, o.vmLocation.hostId ?? "?", o.vmLocation.side, o.vmLocation.powerState, o.durationMs === undefined ? "-" : duration(o.durationMs), o.error ? `${o.error.code}: ${o.reason ?? o.error.message}` : (o.reason ?? "")]);
  const c = report.counts;
  return [
    "",
    table(["VM", "RESULT", "NOW ON", "SIDE", "POWER", "TOOK", "NOTE"], rows),
    "",
    `${report.ok ? "✔" : "✘"} ${c.completed} completed, ${c.failed} failed, ${c.cancelled} cancelled, ${c.skipped} skipped in ${duration(report.makespanMs)}${report.freedHostIds.length ? `; freed: ${report.freedHostIds.join(", ")}` : ""}`,
    "",
  ].join("\n");
}

function outcomeLine(o: VmOutcome): string {
  const mark = o.status === "completed" ? "✔" : "✘";
  const where = `${o.vmLocation.hostId ?? "?"} (${o.vmLocation.side}, ${o.vmLocation.powerState})`;
  return `${mark} ${o.vmId} ${o.status}${o.durationMs === undefined ? "" : ` in ${duration(o.durationMs)}`}: now on ${where}${o.error ? ` — ${o.error.code}: ${o.error.message}` : ""}`;
}

async function renderJson(io: CliIo, run: FleetRun, signal: AbortSignal): Promise<void> {
  for await (const e of run.events({ signal })) {
    const line = jsonEvent(e);
    if (line) io.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

function jsonEvent(e: FleetEvent): Record<string, unknown> | undefined {
  switch (e.type) {
    case "plan-started":
      return { event: "started", at: e.at, kind: e.kind, migrations: e.migrations, skipped: e.skipped };
    case "migration-started": {
      const { type: _type, ...rest } = e;
      return { event: "migration-started", ...rest };
    }
    case "migration-progress":
      return { event: "progress", vmId: e.vmId, migrationId: e.migrationId, ...e.progress };
    case "migration-finished":
      return { event: "migration-finished", at: e.at, ...e.outcome };
    case "plan-stopping":
      return { event: "stopping", at: e.at, reason: e.reason, cancelInFlight: e.cancelInFlight };
    case "plan-finished":
      return { event: "result", report: e.report };
  }
}

/**
 * Human rendering. On a terminal: a block of one live line per in-flight migration, redrawn in
 * place (at most every 100 ms), with finished migrations printed above it. Elsewhere: a line per
 * start and end, and a progress line per VM on each phase change or every second. Output is held
 * while the Ctrl-C question is open; after it, a new block starts below the answer.
 */
async function renderHuman(io: CliIo, run: FleetRun, question: Question, signal: AbortSignal): Promise<void> {
  const tty = io.stdout.isTTY === true;
  const live = new Map<string, { label: string; progress?: MigrationProgress }>();
  const lastPlain = new Map<string, { phase: string; at: number }>();
  const held: string[] = [];
  let asked = 0;
  let drawn = 0;
  let lastDraw = 0;
  const width = Math.max(...run.plan.migrations.map((m) => m.vmId.length), 4);
  const line = (vmId: string) => {
    const s = live.get(vmId)!;
    return s.progress ? progressLine(s.progress, `${vmId.padEnd(width)} ${s.label}`) : `${vmId.padEnd(width)} ${s.label} starting`;
  };
  /** False while the question is open; once it closes, the lines held meanwhile are printed. */
  const ready = () => {
    if (question.open) return false;
    if (question.asked !== asked) {
      asked = question.asked;
      drawn = 0; // the question and its answer sit below the old block: leave it as it is
    }
    for (const text of held.splice(0)) io.stdout.write(text);
    return true;
  };
  const clear = () => {
    if (drawn > 0) io.stdout.write(`\x1b[${drawn}A\x1b[J`);
    drawn = 0;
  };
  const draw = (force: boolean) => {
    const now = Date.now();
    if (!ready() || (!force && now - lastDraw < 100)) return;
    lastDraw = now;
    clear();
    // Clip to the terminal width: a wrapped line would break the cursor-up count.
    const columns = (io.stdout as { readonly columns?: number }).columns;
    for (const vmId of live.keys()) io.stdout.write(`\x1b[K${columns ? line(vmId).slice(0, columns - 1) : line(vmId)}\n`);
    drawn = live.size;
  };
  /** Prints a line above the live block (held while the question is open). */
  const print = (text: string) => {
    if (!ready()) return void held.push(text);
    if (tty) clear();
    io.stdout.write(text);
    if (tty) draw(true);
  };
  for await (const e of run.events({ signal })) {
    if (e.type === "migration-started") {
      live.set(e.vmId, { label: `${e.sourceHostId ?? "?"}→${e.targetHostId ?? "?"}` });
      if (tty) draw(true);
      else print(`▶ ${e.vmId} ${e.mode} ${e.sourceHostId ?? "?"} → ${e.targetHostId ?? "(scheduler)"} (${e.migrationId})\n`);
    } else if (e.type === "migration-progress") {
      const s = live.get(e.vmId);
      if (!s) continue;
      s.progress = e.progress;
      if (tty) draw(false);
      else {
        const prev = lastPlain.get(e.vmId);
        const now = Date.now();
        if (!prev || prev.phase !== e.progress.phase || now - prev.at >= 1000) {
          print(`  ${line(e.vmId)}\n`);
          lastPlain.set(e.vmId, { phase: e.progress.phase, at: now });
        }
      }
    } else if (e.type === "migration-finished") {
      live.delete(e.outcome.vmId);
      print(`${outcomeLine(e.outcome)}\n`);
    } else if (e.type === "plan-stopping") {
      print(`■ ${e.reason}${e.cancelInFlight ? "; cancelling in-flight migrations" : "; in-flight migrations finish"}\n`);
    }
  }
  if (question.open) await new Promise((resolve) => question.ended.signal.addEventListener("abort", resolve, { once: true }));
  ready();
  if (tty) clear();
}
