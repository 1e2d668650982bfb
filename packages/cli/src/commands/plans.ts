/**
 * `vmshift plan run|status|pause|resume|stop|cancel|worker`: fleet plans (what `vmshift evacuate |
 * rebalance --dry-run --json` writes) run in this process or as durable waves on Restate
 * (`@vmshift/restate`, an optional peer loaded only by these subcommands). They share the `plan`
 * command with `vmshift plan <vm>`, the preflight of one VM's move: a first argument that names a
 * subcommand is one, unless `--to` or `--any-host` says it is a VM (`vmshift plan run --to host-2`
 * preflights a VM named `run`).
 */
import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { type FleetPlan, type FleetReport, type VmshiftClient, VmshiftError, executePlan, redactingLogger, silentLogger, validatePlan } from "@vmshift/core";
import type * as Restate from "@vmshift/restate";
import { type Command, type CommandContext, type DescribedOptionTable, UsageError, flagNumber, flagString } from "../command.ts";
import { EXIT, type ExitCode, untilStopped } from "../io.ts";
import { connect } from "../platforms.ts";
import { inProcessReason, loadProfile, profileName } from "../profiles.ts";
import { exitForReport, followRun, renderPlan, renderReport } from "./fleet.ts";
import { PLAN_MOVE_OPTIONS, isPlanMove, moveExecution, planMoveSubcommand } from "./plan-move.ts";

/** The subcommands, in help order. */
export const PLAN_SUBCOMMANDS = ["run", "status", "pause", "resume", "stop", "cancel", "worker"] as const;
type Subcommand = (typeof PLAN_SUBCOMMANDS)[number];

const RESTATE_URL_ENV = "VMSHIFT_RESTATE_URL";
/** Comma-separated Restate request-identity public keys a worker accepts (`publickeyv1_…`). */
const IDENTITY_KEYS_ENV = "VMSHIFT_RESTATE_IDENTITY_KEYS";

/** The flags of the subcommands (the VM form's flags are the plan command's own). */
export const PLAN_RUN_OPTIONS = {
  engine: { type: "string", value: "in-process|restate", description: "plan run: where the plan runs: in this process (default), or as a durable wave on Restate (needs --restate)" },
  restate: { type: "string", value: "url", description: `Restate's ingress URL, e.g. http://restate:8080 (default: $${RESTATE_URL_ENV}); --engine restate and the wave subcommands` },
  id: { type: "string", value: "plan-id", description: "plan run --engine restate: the wave's id (default: the plan's kind and a hash of its JSON: running the same file again attaches to its wave)" },
  detach: { type: "boolean", description: "plan run --engine restate: submit the wave, print its id and exit 0 without following it" },
  scope: { type: "string", value: "name", description: "plan run --engine restate: waves of one scope share per-host limits (default: the profile's name)" },
  "stop-on-failure": { type: "boolean", description: "plan run: start no more migrations after the first failure (in-flight ones finish)" },
  follow: { type: "boolean", description: "plan status: follow the wave to its end with the same display as plan run" },
  vm: { type: "string", value: "vm", description: "plan cancel: cancel only this VM's migration (queued: it never starts; in flight: the platform is asked to cancel)" },
  port: { type: "string", value: "port", description: "plan worker: port to serve the handlers on (default 9080)" },
  host: { type: "string", value: "address", description: "plan worker: address to listen on (default 127.0.0.1; 0.0.0.0 in a container)" },
  register: { type: "string", value: "admin-url", description: "plan worker: register the worker with this Restate admin API once it listens (e.g. http://restate:9070)" },
  "advertise": { type: "string", value: "url", description: "plan worker --register: the URL Restate reaches the worker at (default http://<host>:<port>; behind a Service, its address)" },
  force: { type: "boolean", description: "plan worker --register: replace a registration of the same URL (same services, new build)" },
  "log-level": { type: "string", value: "level", description: "plan worker: least severe Restate SDK log written to stderr: debug, info, warn (default), error, off" },
} as const satisfies DescribedOptionTable;

/** Which flags each subcommand takes (a flag of another one is a usage error). */
const FLAGS_OF: Readonly<Record<Subcommand, readonly (keyof typeof PLAN_RUN_OPTIONS)[]>> = {
  run: ["engine", "restate", "id", "detach", "scope", "stop-on-failure"],
  status: ["restate", "follow"],
  pause: ["restate"],
  resume: ["restate"],
  stop: ["restate"],
  cancel: ["restate", "vm"],
  worker: ["port", "host", "register", "advertise", "force", "log-level"],
};

/** `@vmshift/restate`, loaded on first use (an optional peer of the CLI). */
async function loadRestate(): Promise<typeof Restate> {
  try {
    return await import("@vmshift/restate");
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_MODULE_NOT_FOUND" && String((error as Error).message).includes("@vmshift/restate")) {
      throw new VmshiftError("CAPABILITY_UNAVAILABLE", "running plans on Restate needs @vmshift/restate: npm i -g @vmshift/restate (next to @vmshift/cli)", { operation: "cli.restate", cause: error });
    }
    throw error;
  }
}

/**
 * The plan in a file (`-`: standard input): a plan as JSON, or the `{"event":"plan",…}` line that
 * `vmshift evacuate|rebalance --dry-run --json` prints (the first such line of an NDJSON file).
 */
export function readPlan(text: string, source: string): FleetPlan {
  const candidates = [text, ...text.split("\n").filter((l) => l.trim().startsWith("{"))];
  for (const candidate of candidates) {
    let value: unknown;
    try {
      value = JSON.parse(candidate);
    } catch {
      continue;
    }
    const plan = (value as { event?: unknown; plan?: unknown } | null)?.event === "plan" ? (value as { plan: unknown }).plan : value;
    if (typeof plan === "object" && plan !== null && Array.isArray((plan as FleetPlan).migrations)) {
      try {
        validatePlan(plan as FleetPlan);
      } catch (error) {
        throw new UsageError(`${source}: ${(error as Error).message}`);
      }
      return plan as FleetPlan;
    }
  }
  throw new UsageError(`${source}: not a fleet plan (write one with: vmshift evacuate <host> --dry-run --json > plan.json)`);
}

function planFile(ctx: CommandContext, path: string): FleetPlan {
  const file = path === "-" ? 0 : isAbsolute(path) ? path : join(ctx.io.cwd, path);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return readPlan(text, path === "-" ? "standard input" : path);
}

function restateUrl(ctx: CommandContext): string {
  const url = flagString(ctx.flags, "restate") ?? ctx.io.env[RESTATE_URL_ENV];
  if (url === undefined || url === "") throw new UsageError(`where is Restate? --restate <ingress url> or $${RESTATE_URL_ENV}`);
  return url;
}

async function waves(ctx: CommandContext): Promise<Restate.WaveClient> {
  const { WaveClient } = await loadRestate();
  return new WaveClient({ url: restateUrl(ctx) });
}

function waveId(ctx: CommandContext): string {
  const id = ctx.positionals[1];
  if (id === undefined) throw new UsageError(`usage: vmshift plan ${ctx.positionals[0]} <plan-id>`);
  return id;
}

/** Followed to its end, or detached with Ctrl-C: the wave goes on either way. */
async function followWave(ctx: CommandContext, client: Restate.WaveClient, planId: string, plan: FleetPlan): Promise<ExitCode> {
  const run = client.follow(planId, plan);
  const incomplete = plan.kind === "evacuate" && plan.skipped.length > 0;
  return followRun(ctx, run, incomplete, { detach: () => run.detach(), hint: `stopped watching; wave ${planId} goes on: vmshift plan status ${planId} --follow --restate ${client.url}` });
}

async function runSubcommand(ctx: CommandContext): Promise<ExitCode> {
  const file = ctx.positionals[1];
  if (file === undefined) throw new UsageError("usage: vmshift plan run <plan.json | -> [--engine in-process|restate] [options]");
  const engine = flagString(ctx.flags, "engine") ?? "in-process";
  if (engine !== "in-process" && engine !== "restate") throw new UsageError(`--engine is in-process or restate, not ${JSON.stringify(engine)}`);
  const inProcessOnly = ["id", "detach", "scope", "restate"].filter((f) => ctx.flags[f] !== undefined);
  if (engine === "in-process" && inProcessOnly.length > 0) throw new UsageError(`--${inProcessOnly[0]} needs --engine restate`);
  const plan = planFile(ctx, file);
  const stopOnFailure = ctx.flags["stop-on-failure"] === true;
  const { io, json } = ctx;
  if (engine === "in-process") {
    if (json) io.stdout.write(`${JSON.stringify({ event: "plan", dryRun: false, plan })}\n`);
    else io.stdout.write(renderPlan(plan));
    if (plan.migrations.length === 0) {
      if (!json) io.stdout.write("nothing to do\n");
      return EXIT.ok;
    }
    if (plan.migrations.some((m) => m.move !== undefined)) {
      const moves = await moveExecution(ctx, plan);
      try {
        return await followRun(ctx, executePlan(moves.client, plan, { runMove: moves.runMove, ...(stopOnFailure ? { stopOnFailure } : {}) }), false);
      } finally {
        await moves.close();
      }
    }
    const client = await ctx.client();
    return followRun(ctx, executePlan(client, plan, stopOnFailure ? { stopOnFailure } : {}), plan.kind === "evacuate" && plan.skipped.length > 0);
  }
  if (plan.migrations.some((m) => m.move !== undefined)) throw new UsageError("move plans run in this process only (--engine in-process): the Restate workers have no move runner yet");
  const restate = await loadRestate();
  const client = await waves(ctx);
  const planId = flagString(ctx.flags, "id") ?? restate.planIdOf(plan);
  if (!restate.isPlanId(planId)) throw new UsageError(`--id ${JSON.stringify(planId)}: use 1-100 of A-Z a-z 0-9 . _ - (starting with a letter or digit)`);
  // Only the name: the workers resolve it with their own configuration and credentials.
  const configFile = flagString(ctx.flags, "config");
  const profile = { name: profileName(flagString(ctx.flags, "profile"), ctx.io.env, ctx.io.cwd, configFile === undefined ? {} : { configFile }) };
  const scope = flagString(ctx.flags, "scope");
  const submitted = await client.submit(planId, { plan, profile: profile.name, ...(scope === undefined ? {} : { scope }), ...(stopOnFailure ? { stopOnFailure } : {}) });
  const again = submitted.status === "PreviouslyAccepted";
  if (json) io.stdout.write(`${JSON.stringify({ event: "submitted", planId, restate: client.url, profile: profile.name, attached: again })}\n`);
  else {
    io.stdout.write(renderPlan(plan));
    io.stderr.write(`${again ? "attached to" : "submitted"} wave ${planId} on Restate at ${client.url} (profile ${profile.name}); it goes on without this command: vmshift plan status ${planId}\n`);
  }
  if (ctx.flags["detach"]) return EXIT.ok;
  return followWave(ctx, client, planId, plan);
}

function statusText(status: Restate.WaveStatus, planId: string, plan: FleetPlan | undefined, steps: ReadonlyMap<number, Restate.StepStatus>): string {
  const s = status.summary!;
  const m = status.meta!;
  const c = s.counts;
  const lines = [
    `wave ${planId}: ${s.state}${s.stopping ? ` (${s.stopping.reason})` : ""} — ${m.kind} on ${m.adapter}, profile ${m.profile}, limits scope ${m.scope}`,
    `${s.settled}/${s.total} settled: ${c.completed} completed, ${c.failed} failed, ${c.cancelled} cancelled; ${s.inFlight.length} in flight; ${c.skipped} skipped by the plan; started ${s.startedAt}`,
  ];
  for (const order of s.inFlight) {
    const pm = plan?.migrations.find((x) => x.order === order);
    const st = steps.get(order);
    const where = `${pm?.sourceHostId ?? "?"} → ${pm?.targetHostId ?? "?"}`;
    const p = st?.progress;
    lines.push(`  ${pm?.vmId ?? `#${order}`}  ${where}  ${st?.started ? `${st.started.migrationId} ${p ? `${p.phase}${p.percent === undefined ? "" : ` ${p.percent}%`}` : "started"}` : "taking its slots"}`);
  }
  if (s.engine.steps > 0) lines.push(`engine: ${Math.round(s.engine.beforeStartMs / s.engine.steps)} ms to start, ${Math.round(s.engine.afterPlatformMs / s.engine.steps)} ms after the platform's end, ${(s.engine.polls / s.engine.steps).toFixed(1)} looks per migration`);
  return `${lines.join("\n")}\n`;
}

async function statusSubcommand(ctx: CommandContext): Promise<ExitCode> {
  const planId = waveId(ctx);
  const client = await waves(ctx);
  const first = await client.status(planId, 0);
  if (!first.meta) throw new VmshiftError("NOT_FOUND", `no wave ${planId} on Restate at ${client.url}`, { operation: "cli.plan.status", subject: planId });
  if (ctx.flags["follow"]) return followWave(ctx, client, planId, await client.plan(planId));
  let report: FleetReport | undefined = first.report;
  if (first.summary?.state === "finished" && !report) report = await client.result(planId, 30_000);
  if (ctx.json) {
    ctx.io.stdout.write(`${JSON.stringify({ planId, meta: first.meta, summary: first.summary, ...(report ? { report } : {}) })}\n`);
  } else {
    const plan = first.summary && first.summary.inFlight.length > 0 ? await client.plan(planId) : undefined;
    const steps = new Map<number, Restate.StepStatus>();
    for (const order of first.summary?.inFlight ?? []) steps.set(order, await client.step(planId, order).catch(() => ({})));
    ctx.io.stdout.write(statusText(first, planId, plan, steps));
    if (report) ctx.io.stdout.write(renderReport(report));
  }
  return report ? exitForReport(report, false) : EXIT.ok;
}

async function controlSubcommand(ctx: CommandContext, verb: "pause" | "resume" | "stop" | "cancel"): Promise<ExitCode> {
  const planId = waveId(ctx);
  const client = await waves(ctx);
  const vm = flagString(ctx.flags, "vm");
  const reason = `${verb === "stop" ? "stopped" : verb === "cancel" ? "cancelled" : verb} with vmshift plan ${verb}`;
  const state =
    verb === "pause" ? await client.pause(planId) : verb === "resume" ? await client.resume(planId) : verb === "stop" ? await client.stop(planId, reason) : vm !== undefined ? await client.cancelVm(planId, vm, reason) : await client.cancel(planId, reason);
  if (ctx.json) ctx.io.stdout.write(`${JSON.stringify({ planId, control: state })}\n`);
  else {
    const what = verb === "pause" ? "paused: no new migration starts until vmshift plan resume" : verb === "resume" ? "resumed" : verb === "stop" ? "stopping: queued migrations will not start, in-flight ones finish" : vm !== undefined ? `cancelling ${vm}` : "cancelling: queued migrations will not start, in-flight ones are cancelled";
    ctx.io.stdout.write(`wave ${planId}: ${what}\n`);
  }
  return EXIT.ok;
}

async function workerSubcommand(ctx: CommandContext): Promise<ExitCode> {
  const restate = await loadRestate();
  const port = flagNumber(ctx.flags, "port") ?? 9080;
  if (!Number.isInteger(port) || port > 65535) throw new UsageError(`--port must be a port number, got ${port}`);
  const levels = ["debug", "info", "warn", "error", "off"] as const;
  const level = flagString(ctx.flags, "log-level") ?? "warn";
  if (!(levels as readonly string[]).includes(level)) throw new UsageError(`--log-level is one of ${levels.join(", ")}`);
  const { io } = ctx;
  const configFile = flagString(ctx.flags, "config");
  const connections: { close(): Promise<void> }[] = [];
  /** Profiles are resolved by name in this worker's own configuration (secrets from its environment and files). */
  const client = async (name: string): Promise<VmshiftClient> => {
    const profile = loadProfile(name, io.env, io.cwd, configFile === undefined ? {} : { configFile });
    const inProcess = inProcessReason(profile);
    if (inProcess) throw new VmshiftError("INVALID_ARGUMENT", `profile ${name}: ${inProcess}; a durable wave needs a platform that outlives its workers`, { operation: "cli.plan.worker" });
    const connection = await connect(profile, { logger: redactingLogger(silentLogger, profile.secrets) }, io);
    connections.push(connection);
    return connection.client;
  };
  const identityKeys = (io.env[IDENTITY_KEYS_ENV] ?? "").split(",").map((k) => k.trim()).filter(Boolean);
  const served = await restate.serveWorker({ port, host: flagString(ctx.flags, "host") ?? "127.0.0.1", client, logLevel: level as (typeof levels)[number], ...(identityKeys.length ? { identityKeys } : {}) });
  try {
    const admin = flagString(ctx.flags, "register");
    const advertised = flagString(ctx.flags, "advertise") ?? served.url;
    if (admin !== undefined) {
      const registered = await restate.registerDeployment(admin, advertised, { force: ctx.flags["force"] === true });
      io.stderr.write(`registered ${advertised} with ${admin} (${registered.id}: ${registered.services.join(", ")})\n`);
    }
    io.stdout.write(ctx.json ? `${JSON.stringify({ event: "ready", url: served.url })}\n` : `ready worker url=${served.url}\n`);
    await untilStopped(ctx.io);
    return EXIT.ok;
  } finally {
    await served.close().catch(() => undefined);
    await Promise.all(connections.map((c) => c.close().catch(() => undefined)));
  }
}


/** Whether this invocation of `plan` is a subcommand (not the preflight of a VM). */
function subcommandOf(ctx: CommandContext): Subcommand | undefined {
  const first = ctx.positionals[0];
  if (first === undefined || !(PLAN_SUBCOMMANDS as readonly string[]).includes(first)) return undefined;
  if (ctx.flags["to"] !== undefined || ctx.flags["any-host"] !== undefined) return undefined; // `plan run --to h`: a VM named run
  return first as Subcommand;
}

/**
 * The `plan` command: `plan <vm>` (the preflight command given) and the plan subcommands, one
 * command so `vmshift plan --help` shows both.
 */
export function planCommands(preflight: Command): Command {
  const subcommandFlags = new Set(Object.keys(PLAN_RUN_OPTIONS));
  return {
    name: "plan",
    summary: "preflight one VM's move (plan <vm>); run fleet plans in this process or as durable waves on Restate (plan run|status|pause|resume|stop|cancel|worker)",
    usage: [
      "plan <vm> (--to <host> | --any-host) [options]",
      "       vmshift plan move <vm names or patterns> --from <profile> --to <profile> (--downtime-budget <ms> | --warm | --mode cold|warm) [--json > plan.json]   (a plan of cold/warm moves)",
      "       vmshift plan run <plan.json | -> [--engine in-process | --engine restate --restate <url> [--id <plan-id>] [--detach]]",
      "       vmshift plan status|pause|resume|stop|cancel <plan-id> --restate <url>   (status --follow; cancel --vm <vm>)",
      "       vmshift plan worker [--port 9080] [--host <address>] [--register <admin-url>]   ($VMSHIFT_RESTATE_IDENTITY_KEYS: accept only requests Restate signed)",
    ].join("\n"),
    options: { ...preflight.options, ...PLAN_RUN_OPTIONS, ...PLAN_MOVE_OPTIONS },
    positionals: { min: 1, max: 2 },
    async run(ctx) {
      if (isPlanMove(ctx)) return planMoveSubcommand(ctx);
      const sub = subcommandOf(ctx);
      const given = Object.keys(ctx.flags).filter((f) => ctx.flags[f] !== undefined && subcommandFlags.has(f));
      if (sub === undefined) {
        if (given.length > 0) throw new UsageError(`--${given[0]} belongs to the plan subcommands (${PLAN_SUBCOMMANDS.join(", ")}), not to plan <vm>`);
        if (ctx.positionals.length > 1) throw new UsageError(`expected 1 argument; usage: vmshift ${preflight.usage}`);
        return preflight.run(ctx);
      }
      const foreign = given.filter((f) => !(FLAGS_OF[sub] as readonly string[]).includes(f));
      if (foreign.length > 0) throw new UsageError(`plan ${sub} does not take --${foreign[0]}`);
      const preflightOnly = Object.keys(preflight.options).filter((f) => ctx.flags[f] !== undefined && !subcommandFlags.has(f));
      if (preflightOnly.length > 0) throw new UsageError(`--${preflightOnly[0]} belongs to plan <vm>, not to plan ${sub}`);
      if (sub !== "run" && sub !== "worker" && ctx.positionals.length !== 2) throw new UsageError(`usage: vmshift plan ${sub} <plan-id>`);
      if (sub === "worker" && ctx.positionals.length !== 1) throw new UsageError("usage: vmshift plan worker [options]");
      switch (sub) {
        case "run":
          return runSubcommand(ctx);
        case "status":
          return statusSubcommand(ctx);
        case "worker":
          return workerSubcommand(ctx);
        default:
          return controlSubcommand(ctx, sub);
      }
    },
  };
}
