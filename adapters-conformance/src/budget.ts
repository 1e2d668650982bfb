/**
 * Request budgets: how many requests an adapter may send for what a scenario does, per target.
 * Scenarios wrap what they do in measured windows ({@link RequestMeter.measure}); each window's
 * requests (from `controls.requestLog`, else `controls.requestCount`) are compared with the
 * target's {@link RequestBudget}, and a scenario over budget fails with the breakdown.
 */
import type { ConformanceControls } from "./target.ts";

/** Polls an operation may send on top of its fixed requests. */
export interface PollBudget {
  /** Which entries of `controls.requestLog` are polls (e.g. `/^GET \/api\/prism\/v4\.0\/config\/tasks\//`). */
  readonly kinds: RegExp;
  /**
   * The shortest time between two polls the client's backoff allows, ms: its first delay ×
   * (1 − jitter) (core's follower restarts at the first delay whenever progress moved). A window of
   * `t` ms may then hold ⌊t / everyMs⌋ + 1 polls.
   */
  readonly everyMs?: number;
  /**
   * Instead (or on top): one poll per progress update the scenario observed, plus one (push
   * platforms: a vSphere WaitForUpdatesEx per update). With `everyMs` too, `everyMs` is the
   * platform's shortest time between two progress updates, and bounds the windows that do not
   * count their updates (a cancel, a wait that gives up) instead.
   */
  readonly perUpdate?: boolean;
  /** Requests each poll sends. Default 1. */
  readonly requestsEach?: number;
}

/** Requests one operation may send: a fixed number, plus polls. */
export interface OperationBudget {
  /** Requests besides polls. */
  readonly requests: number;
  /** Polls, bounded by the backoff schedule (or by the progress updates). */
  readonly polls?: PollBudget;
}

/**
 * A target's request budget: what one of each operation may send, already connected (logins and
 * discovery that a session does once are not counted against an operation). Scenarios add up the
 * operations they perform; faults they inject add `retry` each.
 */
export interface RequestBudget {
  /** One live migration, from the start call to its terminal state, preflight inside the start included. */
  readonly liveMigration: OperationBudget;
  /** One cold migration, from the start call to its terminal state. */
  readonly coldMigration: OperationBudget;
  /**
   * One live migration with tuning (bandwidth limit, auto-converge, post-copy, max downtime), start
   * to terminal state. Default: {@link liveMigration} (platforms that take the tuning with the start).
   */
  readonly tunedLiveMigration?: OperationBudget;
  /** One storage (volume) live migration (`targetStorageId`), start to terminal state. Default: {@link liveMigration}. */
  readonly storageMigration?: OperationBudget;
  /** One live migration to another cluster (`targetClusterId`), start to terminal state, both clusters' requests. Default: {@link liveMigration}. */
  readonly crossClusterMigration?: OperationBudget;
  /** One `getVm`. */
  readonly getVm: number;
  /** One page of `listVms` or `listHosts`. */
  readonly listPage: number;
  /** One `preflight`. */
  readonly preflight: number;
  /** A cancel, on top of the migration it cancels (the cancel request and what following it to the end adds). */
  readonly cancel: number;
  /** Following resumed after every listener had left (a new watch, or an immediate poll), or one `refresh()`. */
  readonly resume: number;
  /** A client that attaches to a running migration by id (its connection, the attach read), on top of following it. */
  readonly attach: number;
  /** Choosing the target host when the caller names none, when the adapter rather than the platform chooses. */
  readonly schedule: number;
  /** One injected fault: the retried request, a new login, a reopened watch. */
  readonly retry: number;
  /** Where these numbers come from (the documentation of the budget). */
  readonly source: string;
  /**
   * Whether going over budget fails the scenario. Default true. `false` only with a `todo`: the
   * counts are measured and reported against the budget, and the report prints the `todo`.
   */
  readonly budgetEnforced?: boolean;
  /** Why the budget is not enforced yet, and what must change for it to be. Required when `budgetEnforced` is false or `unenforced` is set. */
  readonly todo?: string;
  /**
   * Kinds of work whose windows are reported but not enforced while the rest of the budget is (a
   * window that does any of them, e.g. `["listPages"]`), with a `todo` saying why.
   */
  readonly unenforced?: readonly (keyof Allowance)[];
}

/** What a measured window did, in budget units (each multiplies the matching {@link RequestBudget} entry). */
export interface Allowance {
  /** Live migrations started (a refused start counts as one); their polls follow the window's length, once. */
  readonly live?: number;
  /** Cold migrations started. */
  readonly cold?: number;
  /** Tuned live migrations started (each instead of a `live`). */
  readonly tuned?: number;
  /** Storage live migrations started (each instead of a `live`). */
  readonly storage?: number;
  /** Cross-cluster live migrations started (each instead of a `live`). */
  readonly crossCluster?: number;
  /** `getVm` calls. */
  readonly getVm?: number;
  /** Pages of `listVms` / `listHosts` fetched. */
  readonly listPages?: number;
  /** `preflight` calls. */
  readonly preflight?: number;
  /** Cancels. */
  readonly cancel?: number;
  /** Times following was resumed after every listener left, and `refresh()` calls. */
  readonly resume?: number;
  /** Attaches by id from a new client (and attaches to a missing id). */
  readonly attach?: number;
  /** Starts where the adapter, not the platform, chose the target host. */
  readonly schedule?: number;
  /** Faults injected (each may cost a retried request, a new login, a reopened watch). */
  readonly retry?: number;
  /** Progress updates observed (for {@link PollBudget.perUpdate}). */
  readonly updates?: number;
}

/** One measured window, as reported. */
export interface BudgetCheck {
  /** What the window did, e.g. `live migration`. */
  readonly what: string;
  /** Requests sent in the window. */
  readonly requests: number;
  /** Of those, polls (when the target logs request kinds). */
  readonly polls?: number;
  /** The budget: fixed requests, and polls allowed. */
  readonly budget: { readonly requests: number; readonly polls: number };
  /** Duration of the window on the session's clock, ms. */
  readonly windowMs: number;
  /** Requests by kind, e.g. `GET /api/…×2` (when the target logs them). */
  readonly breakdown?: string;
  readonly within: boolean;
  /** False when the window does work the budget leaves unenforced ({@link RequestBudget.unenforced}). */
  readonly enforced?: false;
}

/** The budget part of a scenario's result. */
export interface BudgetReport {
  /** Requests the scenario sent in all, measured windows or not. */
  readonly requests: number;
  readonly checks: readonly BudgetCheck[];
  /** False when the target does not enforce its budget (see `todo`). */
  readonly enforced: boolean;
  readonly todo?: string;
}

/** What {@link RequestMeter.measure} needs from a session. */
export interface MeterSession {
  readonly controls: Pick<ConformanceControls, "requestCount" | "requestLog">;
  readonly client: { readonly clock: { now(): number } };
}

/** Measures windows of a scenario against a budget. */
export class RequestMeter {
  readonly checks: BudgetCheck[] = [];
  readonly #budget: RequestBudget | undefined;
  readonly #session: MeterSession;

  constructor(budget: RequestBudget | undefined, session: MeterSession) {
    this.#budget = budget;
    this.#session = session;
  }

  /** Whether requests can be counted on this target. */
  get counting(): boolean {
    return typeof this.#session.controls.requestCount === "function" || typeof this.#session.controls.requestLog === "function";
  }

  #count(): number {
    const c = this.#session.controls;
    return c.requestCount ? c.requestCount() : (c.requestLog?.().length ?? 0);
  }

  /**
   * Runs `fn` as one measured window: `what` names it in the report, `allowance` says what it did
   * (a function gets `fn`'s result, e.g. to count pages). The window is checked when it ends,
   * whether `fn` succeeded or threw.
   */
  async measure<T>(what: string, allowance: Allowance | ((result: T | undefined) => Allowance), fn: () => Promise<T>): Promise<T> {
    if (!this.#budget || !this.counting) return fn();
    const log = this.#session.controls.requestLog;
    const clock = this.#session.client.clock;
    const count0 = this.#count();
    const log0 = log?.().length ?? 0;
    const t0 = clock.now();
    let result: T | undefined;
    try {
      result = await fn();
      return result;
    } finally {
      const windowMs = Math.max(0, clock.now() - t0);
      const sent = this.#count() - count0;
      const kinds = log ? log().slice(log0) : undefined;
      const a = typeof allowance === "function" ? allowance(result) : allowance;
      this.checks.push(check(this.#budget, what, a, windowMs, sent, kinds));
    }
  }
}

/** The fixed requests and polls a window with allowance `a` may send, and the poll kinds. */
export function allowed(budget: RequestBudget, a: Allowance, windowMs: number): { requests: number; polls: number; flexible: number; kinds: RegExp[] } {
  const n = (x: number | undefined) => x ?? 0;
  const migrations: [number, OperationBudget][] = [
    [n(a.live), budget.liveMigration],
    [n(a.cold), budget.coldMigration],
    [n(a.tuned), budget.tunedLiveMigration ?? budget.liveMigration],
    [n(a.storage), budget.storageMigration ?? budget.liveMigration],
    [n(a.crossCluster), budget.crossClusterMigration ?? budget.liveMigration],
  ];
  let requests = n(a.getVm) * budget.getVm + n(a.listPages) * budget.listPage + n(a.preflight) * budget.preflight + n(a.cancel) * budget.cancel + n(a.attach) * budget.attach + n(a.schedule) * budget.schedule;
  let polls = 0;
  const kinds: RegExp[] = [];
  for (const [count, op] of migrations) {
    if (count === 0) continue;
    requests += count * op.requests;
    const p = op.polls;
    if (!p) continue;
    kinds.push(p.kinds);
    // Polls follow the clock, not the number of migrations: one schedule per window.
    const counted = a.updates !== undefined;
    const byTime = p.everyMs && !(p.perUpdate && counted) ? Math.floor(windowMs / p.everyMs) + 1 : 0;
    const byUpdates = p.perUpdate && (counted || !p.everyMs) ? n(a.updates) + 1 : 0;
    polls = Math.max(polls, (byTime + byUpdates) * (p.requestsEach ?? 1));
  }
  // Resumes, refreshes and retries may show up as polls or as other requests.
  const flexible = n(a.resume) * budget.resume + n(a.retry) * budget.retry;
  return { requests, polls, flexible, kinds };
}

function check(budget: RequestBudget, what: string, a: Allowance, windowMs: number, sent: number, kinds: readonly string[] | undefined): BudgetCheck {
  const limit = allowed(budget, a, windowMs);
  const isPoll = (k: string) => limit.kinds.some((r) => r.test(k));
  const polls = kinds ? kinds.filter(isPoll).length : undefined;
  // Poll-kind requests may be spent from unused fixed requests (a cancel reads the task once), never the other way round.
  const others = polls === undefined ? 0 : sent - polls;
  const within =
    polls === undefined
      ? sent <= limit.requests + limit.polls + limit.flexible
      : Math.max(0, others - limit.requests) + Math.max(0, polls - limit.polls - Math.max(0, limit.requests - others)) <= limit.flexible;
  const budgetRequests = limit.requests + limit.flexible;
  return {
    what,
    requests: sent,
    ...(polls === undefined ? {} : { polls }),
    budget: { requests: budgetRequests, polls: limit.polls },
    windowMs: Math.round(windowMs),
    ...(kinds && kinds.length > 0 ? { breakdown: breakdown(kinds) } : {}),
    within,
    ...(budget.unenforced?.some((k) => (a[k] ?? 0) > 0) ? { enforced: false as const } : {}),
  };
}

/** `kind×n, …` in first-seen order. */
export function breakdown(kinds: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].map(([k, c]) => `${k}×${c}`).join(", ");
}

/** One line for a check: `live migration: 14 requests (9 polls) — budget 3 + 11 polls in 730 ms: …`. */
export function describeCheck(c: BudgetCheck): string {
  const n = (count: number, what: string) => `${count} ${what}${count === 1 ? "" : "s"}`;
  const sent = c.polls === undefined ? n(c.requests, "request") : `${n(c.requests, "request")} (${c.requests - c.polls} + ${n(c.polls, "poll")})`;
  const budget = c.budget.polls > 0 ? `${c.budget.requests} + ${n(c.budget.polls, "poll")} in ${c.windowMs} ms` : `${c.budget.requests}`;
  return `${c.what}: ${sent}, budget ${budget}${c.breakdown ? ` [${c.breakdown}]` : ""}`;
}
