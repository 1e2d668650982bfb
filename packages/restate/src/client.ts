/**
 * Drives waves from outside Restate, over its HTTP ingress with Node's `fetch`: submit a plan,
 * query progress, pause, resume, stop, cancel (a wave or one VM), wait for the report, and follow a
 * wave as the same `FleetEvent` stream the in-process executor emits (so the CLI shows both the
 * same way).
 */
import { EventChannel, type FleetEvent, type FleetPlan, type FleetReport, type MigrationProgress, VmshiftError, pause } from "@vmshift/core";
import { SERVICE_NAMES, isPlanId, stepKey } from "./ids.ts";
import type { ControlState, StepStatus, WaveInput, WaveStatus } from "./types.ts";

/** Options of {@link WaveClient}. */
export interface WaveClientOptions {
  /** Restate's ingress, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** Extra headers on every request (e.g. `authorization` for an ingress behind a proxy). Never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Per-request timeout, ms. Default 30,000. */
  readonly requestTimeoutMs?: number;
}

/** What submitting a wave answered. */
export interface Submitted {
  readonly planId: string;
  /** `Accepted`: a new wave; `PreviouslyAccepted`: a wave with this id exists (it runs, or ran, that plan: this call attached to it). */
  readonly status: "Accepted" | "PreviouslyAccepted";
  readonly invocationId?: string;
}

const OPERATION = "restate.ingress";

function checkPlanId(planId: string): void {
  if (!isPlanId(planId)) throw new VmshiftError("INVALID_ARGUMENT", `plan id ${JSON.stringify(planId)}: use 1-100 of A-Z a-z 0-9 . _ - (starting with a letter or digit)`, { operation: OPERATION });
}

/** A client of the waves behind one Restate ingress. */
export class WaveClient {
  readonly url: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #timeoutMs: number;

  constructor(options: WaveClientOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw new VmshiftError("INVALID_ARGUMENT", `the Restate ingress URL must be absolute, e.g. http://127.0.0.1:8080 (got ${JSON.stringify(options.url)})`, { operation: OPERATION });
    }
    if (base.protocol !== "http:" && base.protocol !== "https:") throw new VmshiftError("INVALID_ARGUMENT", `the Restate ingress URL must be http or https, not ${base.protocol}`, { operation: OPERATION });
    this.url = base.href.replace(/\/+$/, "");
    this.#headers = options.headers ?? {};
    this.#timeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  async #request<T>(method: "GET" | "POST", path: string, body?: unknown, timeoutMs = this.#timeoutMs): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: { ...this.#headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new VmshiftError("TRANSPORT", `Restate at ${new URL(this.url).origin} did not answer ${method} ${path.split("?")[0]}`, { operation: OPERATION, retryable: true, cause: error });
    }
    const text = await response.text();
    if (!response.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // not JSON
      }
      const unregistered = response.status === 404 && /service|handler/i.test(message) && /not found/i.test(message);
      const code = response.status === 400 ? "INVALID_ARGUMENT" : response.status === 404 ? "NOT_FOUND" : response.status === 409 ? "CONFLICT" : response.status >= 500 ? "TRANSPORT" : "INTERNAL";
      throw new VmshiftError(code, unregistered ? `Restate at ${new URL(this.url).origin} has no vmshift handlers: start a worker and register it (vmshift plan worker --register <admin url>)` : `Restate answered ${response.status}: ${message.slice(0, 300)}`, {
        operation: OPERATION,
        retryable: response.status >= 500,
      });
    }
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }

  #wave(planId: string, handler: string): string {
    checkPlanId(planId);
    return `/${SERVICE_NAMES.wave}/${encodeURIComponent(planId)}/${handler}`;
  }

  /** Starts a wave for `input.plan` under `planId` (a wave that exists already is attached to, not started again). */
  async submit(planId: string, input: WaveInput): Promise<Submitted> {
    const r = await this.#request<{ invocationId?: string; status?: string }>("POST", `${this.#wave(planId, "run")}/send`, input);
    return { planId, status: r.status === "PreviouslyAccepted" ? "PreviouslyAccepted" : "Accepted", ...(r.invocationId ? { invocationId: r.invocationId } : {}) };
  }

  /** The wave's progress: its summary and the outcomes settled from `since` on (at most 200 a call). */
  status(planId: string, since = 0): Promise<WaveStatus> {
    return this.#request<WaveStatus>("POST", this.#wave(planId, "status"), { since });
  }

  /** The plan a wave runs; NOT_FOUND when no wave has this id. */
  async plan(planId: string): Promise<FleetPlan> {
    const plan = await this.#request<FleetPlan | null>("POST", this.#wave(planId, "plan"));
    if (plan === null || plan === undefined) throw new VmshiftError("NOT_FOUND", `no wave ${planId}`, { operation: OPERATION, subject: planId });
    return plan;
  }

  /** Starts no new migration until {@link resume}; in-flight ones go on. */
  pause(planId: string): Promise<ControlState> {
    return this.#request("POST", this.#wave(planId, "pause"));
  }

  resume(planId: string): Promise<ControlState> {
    return this.#request("POST", this.#wave(planId, "resume"));
  }

  /** Gentle stop: queued migrations end cancelled (untouched), in-flight ones finish. */
  stop(planId: string, reason?: string): Promise<ControlState> {
    return this.#request("POST", this.#wave(planId, "stop"), reason ?? "stopped by caller");
  }

  /** Cancels the wave: queued migrations end cancelled, in-flight ones are asked to cancel on the platform. */
  cancel(planId: string, reason?: string): Promise<ControlState> {
    return this.#request("POST", this.#wave(planId, "cancel"), reason ?? "cancelled by caller");
  }

  /** Cancels one VM's migration (queued: it never starts; in flight: the platform is asked to cancel). */
  cancelVm(planId: string, vmId: string, reason?: string): Promise<ControlState> {
    return this.#request("POST", this.#wave(planId, "cancelVm"), { vmId, reason: reason ?? "cancelled by caller" });
  }

  /** One step's progress query. */
  step(planId: string, order: number): Promise<StepStatus> {
    checkPlanId(planId);
    return this.#request("POST", `/${SERVICE_NAMES.step}/${encodeURIComponent(stepKey(planId, order))}/status`);
  }

  /** Waits for the wave's report (the run's result), up to `timeoutMs` (default 24 h). */
  result(planId: string, timeoutMs = 86_400_000): Promise<FleetReport> {
    return this.#request("GET", `/restate/workflow/${SERVICE_NAMES.wave}/${encodeURIComponent(planId)}/attach`, undefined, timeoutMs);
  }

  /**
   * The wave's report if its run has ended (`undefined` while it runs or before it started);
   * rejects with the run's error when it failed (e.g. a plan the worker refused).
   */
  async output(planId: string): Promise<FleetReport | undefined> {
    checkPlanId(planId);
    try {
      return await this.#request<FleetReport>("GET", `/restate/workflow/${SERVICE_NAMES.wave}/${encodeURIComponent(planId)}/output`);
    } catch (error) {
      if (error instanceof VmshiftError && /Restate answered (470|404)/.test(error.message)) return undefined; // not ready, or not started
      throw error;
    }
  }

  /**
   * Follows a wave as `FleetEvent`s (what the in-process executor emits): `plan-started`, then
   * `migration-started`, `migration-progress` (for in-flight steps, when `progress` is on),
   * `migration-finished`, `plan-stopping` and last `plan-finished` with the report.
   */
  follow(planId: string, plan: FleetPlan, options: FollowWaveOptions = {}): WaveRun {
    checkPlanId(planId);
    return new WaveRun(this, planId, plan, options);
  }
}

/** Options of {@link WaveClient.follow}. */
export interface FollowWaveOptions {
  /** Time between two status queries, ms. Default 500. */
  readonly intervalMs?: number;
  /** Ask in-flight steps for their progress on each query (one request per step). Default true. */
  readonly progress?: boolean;
  /** Give up following after Restate has not answered for this long, ms (the wave goes on). Default 60,000. */
  readonly giveUpAfterMs?: number;
}

/**
 * A wave being followed: the shape of the in-process `FleetExecution` that a display needs
 * (`plan`, `events`, `report`, `cancel`, `stop`, `cancelVm`). Control calls go to the wave; the
 * wave itself runs on Restate whether or not anybody follows it.
 */
export class WaveRun {
  readonly plan: FleetPlan;
  readonly planId: string;
  readonly #client: WaveClient;
  readonly #channel = new EventChannel();
  readonly #done: Promise<FleetReport>;
  readonly #stopFollowing = new AbortController();

  constructor(client: WaveClient, planId: string, plan: FleetPlan, options: FollowWaveOptions) {
    this.#client = client;
    this.planId = planId;
    this.plan = plan;
    this.#done = this.#poll(options);
    this.#done.catch(() => undefined);
  }

  /** Events from now on (lifecycle history first), ending after `plan-finished`. */
  events(options: { readonly signal?: AbortSignal } = {}): AsyncIterable<FleetEvent> {
    return this.#channel.subscribe(options.signal);
  }

  /** The report, once the wave finished. Rejects when Restate stops answering for longer than `giveUpAfterMs` or following is given up. */
  report(): Promise<FleetReport> {
    return this.#done;
  }

  /** Cancels the whole wave. */
  cancel(reason = "cancelled by caller"): Promise<unknown> {
    return this.#client.cancel(this.planId, reason);
  }

  /** Stops the wave gently (in-flight migrations finish). */
  stop(reason = "stopped by caller"): Promise<unknown> {
    return this.#client.stop(this.planId, reason);
  }

  /** Cancels one VM's migration; false when the VM is not in the plan. */
  cancelVm(vmId: string, reason = "cancelled by caller"): boolean {
    if (!this.plan.migrations.some((m) => m.vmId === vmId)) return false;
    void this.#client.cancelVm(this.planId, vmId, reason).catch(() => undefined);
    return true;
  }

  /** Stops following (the wave goes on); `report()` rejects with `ABORTED`. */
  detach(): void {
    this.#stopFollowing.abort();
  }

  async #poll(options: FollowWaveOptions): Promise<FleetReport> {
    const interval = options.intervalMs ?? 500;
    const giveUp = options.giveUpAfterMs ?? 60_000;
    const byOrder = new Map(this.plan.migrations.map((m) => [m.order, m]));
    const started = new Set<number>();
    const lastProgress = new Map<number, string>();
    let since = 0;
    let announced = false;
    let stopping = false;
    let failingSince: number | undefined;
    const now = () => new Date().toISOString();
    const signal = this.#stopFollowing.signal;
    const startedFollowing = Date.now();
    for (;;) {
      if (signal.aborted) throw new VmshiftError("ABORTED", `stopped following wave ${this.planId}; it goes on`, { operation: OPERATION, subject: this.planId });
      let status: WaveStatus;
      try {
        status = await this.#client.status(this.planId, since);
        failingSince = undefined;
      } catch (error) {
        failingSince ??= Date.now();
        if (Date.now() - failingSince > giveUp || !(error instanceof VmshiftError && error.retryable)) throw error;
        await pause(interval, signal);
        continue;
      }
      if (!status.meta && Date.now() - startedFollowing > 3000) {
        // Submitted but never started its plan: a run that failed at once (a plan the worker refused) ends here.
        await this.#client.output(this.planId);
      }
      if (status.meta && !announced) {
        announced = true;
        this.#channel.emit({ type: "plan-started", at: status.summary?.startedAt ?? now(), kind: status.meta.kind, migrations: status.meta.migrations, skipped: status.meta.skipped });
      }
      const summary = status.summary;
      if (summary?.stopping && !stopping) {
        stopping = true;
        this.#channel.emit({ type: "plan-stopping", at: now(), reason: summary.stopping.reason, cancelInFlight: summary.stopping.cancelInFlight });
      }
      if (summary && options.progress !== false) {
        for (const order of summary.inFlight) {
          const m = byOrder.get(order);
          if (!m) continue;
          const s = await this.#client.step(this.planId, order).catch(() => undefined);
          if (s?.started && !started.has(order)) {
            started.add(order);
            this.#channel.emit({ type: "migration-started", at: s.started.at, vmId: m.vmId, order, migrationId: s.started.migrationId, mode: s.started.mode, ...hosts(s.started) });
          }
          if (s?.started && s.progress && !s.outcome) {
            const key = JSON.stringify(s.progress);
            if (lastProgress.get(order) !== key) {
              lastProgress.set(order, key);
              this.#channel.emit({ type: "migration-progress", at: s.progress.observedAt, vmId: m.vmId, migrationId: s.started.migrationId, progress: s.progress as MigrationProgress });
            }
          }
        }
      }
      for (const outcome of status.outcomes) {
        const order = outcome.order;
        if (order !== undefined && outcome.migrationId !== undefined && !started.has(order)) {
          started.add(order);
          this.#channel.emit({ type: "migration-started", at: now(), vmId: outcome.vmId, order, migrationId: outcome.migrationId, mode: outcome.mode ?? "live", ...hosts(outcome) });
        }
        this.#channel.emit({ type: "migration-finished", at: now(), outcome });
      }
      since = status.since + status.outcomes.length;
      if (status.report) {
        this.#channel.emit({ type: "plan-finished", at: status.report.endedAt, report: status.report });
        return status.report;
      }
      if (summary && since < summary.settled) continue; // more outcomes to read now
      await pause(interval, signal);
    }
  }
}

function hosts(x: { readonly sourceHostId?: string; readonly targetHostId?: string }): { sourceHostId?: string; targetHostId?: string } {
  return { ...(x.sourceHostId === undefined ? {} : { sourceHostId: x.sourceHostId }), ...(x.targetHostId === undefined ? {} : { targetHostId: x.targetHostId }) };
}
