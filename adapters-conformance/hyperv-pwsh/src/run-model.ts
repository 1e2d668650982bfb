/** Runs one script against the shared model state and says what the shell prints (or that it dies). */
import { parseScript } from "@vmshift/hyperv";
import { HANDLERS, ScriptError, setScriptText } from "./handlers.ts";
import { type ModelState, tick } from "./model.ts";
import { withState } from "./state.ts";
import { asWindowsPowerShell51 } from "./ps51.ts";

/** Options of {@link runModel}. */
export interface RunModelOptions {
  /** `Desktop` prints what Windows PowerShell 5.1's ConvertTo-Json prints (numeric enums, `\/Date(ms)\/`). */
  readonly edition: "Core" | "Desktop";
}

/** What the shell does: print a line on stdout or stderr, or die (the host process exits). */
export type ShellOutcome = { readonly stdout: string } | { readonly stderr: string } | { readonly die: true };

const TRANSIENT_KIND: Record<string, "start" | "progress" | "cancel"> = { startLive: "start", migrationStatus: "progress", cancelLive: "cancel" };

const SLEEP = new Int32Array(new SharedArrayBuffer(4));

/**
 * The late-retry fault: a start arriving while `holdStartUntilJobDone` names a migration job is
 * held back (as a slow network or a busy machine would) until that job has ended, then runs.
 */
function holdLateStart(statePath: string): void {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; Atomics.wait(SLEEP, 0, 0, 50)) {
    const held = withState<ModelState, boolean>(statePath, (state) => {
      const jobId = state.faults.holdStartUntilJobDone;
      if (jobId === undefined) return false;
      tick(state, Date.now());
      const job = state.jobs[jobId];
      if (job && job.jobState >= 2 && job.jobState <= 6) return true;
      delete state.faults.holdStartUntilJobDone;
      return false;
    });
    if (!held) return;
  }
}

export function runModel(statePath: string, script: string, options: RunModelOptions): ShellOutcome {
  const { name, params } = parseScript(script);
  setScriptText(script);
  if (name === "startLive") holdLateStart(statePath);
  const outcome = withState<ModelState, { envelope: object; die?: boolean } | { fail: "die" | "stderr" }>(statePath, (state) => {
    const now = Date.now();
    state.requestCount++;
    state.log.push(name);
    tick(state, now);
    const kind = TRANSIENT_KIND[name];
    if (kind && (state.faults.transient?.[kind] ?? 0) > 0) {
      state.faults.transient![kind]--;
      // A dying PowerShell host for starts; a dropped remoting connection for the others.
      return { fail: kind === "start" ? "die" : "stderr" };
    }
    const handler = HANDLERS[name];
    if (!handler) {
      return { envelope: { ok: false, error: { fullyQualifiedErrorId: "CommandNotFoundException", category: "ObjectNotFound", exceptionType: "System.Management.Automation.CommandNotFoundException", hresult: -2146233087, message: `unknown vmshift script ${name}` } } };
    }
    try {
      const data = handler(state, params, now);
      const lose = name === "startLive" && state.faults.loseNextStart === true;
      if (lose) {
        state.faults.loseNextStart = false;
        const jobId = (data as { job?: { instanceId?: string } | null }).job?.instanceId;
        if (state.faults.lateRetry === true && jobId !== undefined) state.faults.holdStartUntilJobDone = jobId;
        delete state.faults.lateRetry;
      }
      return { envelope: { ok: true, data }, ...(lose ? { die: true } : {}) };
    } catch (error) {
      if (error instanceof ScriptError) return { envelope: { ok: false, error: error.fields } };
      throw error;
    }
  });
  if ("fail" in outcome) {
    return outcome.fail === "die" ? { die: true } : { stderr: "Invoke-Command: Processing data from remote server MGMT-01 failed with the following error message: The I/O operation has been aborted because of either a thread exit or an application request. (PSRemotingTransportException)" };
  }
  if (outcome.die) return { die: true };
  return { stdout: options.edition === "Desktop" ? asWindowsPowerShell51(outcome.envelope) : JSON.stringify(outcome.envelope) };
}

/** The remoting session epoch now (expireSession bumps it). */
export function sessionEpoch(statePath: string): number {
  return withState<ModelState, number>(statePath, (s) => s.sessionEpoch ?? 0);
}
