/** Runs one script against the shared model state and returns the JSON line the script would print. */
import { parseScript } from "@vmshift/hyperv";
import { HANDLERS, ScriptError } from "./handlers.ts";
import { type ModelState, tick } from "./model.ts";
import { withState } from "./state.ts";
import { asWindowsPowerShell51 } from "./ps51.ts";

/** Options of {@link runModel}. */
export interface RunModelOptions {
  /** `Desktop` prints what Windows PowerShell 5.1's ConvertTo-Json prints (numeric enums, `\/Date(ms)\/`). */
  readonly edition: "Core" | "Desktop";
}

export function runModel(statePath: string, script: string, options: RunModelOptions): string {
  const { name, params } = parseScript(script);
  const envelope = withState<ModelState, object>(statePath, (state) => {
    const now = Date.now();
    state.requestCount++;
    state.log.push(name);
    tick(state, now);
    const handler = HANDLERS[name];
    if (!handler) {
      return { ok: false, error: { fullyQualifiedErrorId: "CommandNotFoundException", category: "ObjectNotFound", exceptionType: "System.Management.Automation.CommandNotFoundException", hresult: -2146233087, message: `unknown vmshift script ${name}` } };
    }
    try {
      return { ok: true, data: handler(state, params, now) };
    } catch (error) {
      if (error instanceof ScriptError) return { ok: false, error: error.fields };
      throw error;
    }
  });
  return options.edition === "Desktop" ? asWindowsPowerShell51(envelope) : JSON.stringify(envelope);
}
