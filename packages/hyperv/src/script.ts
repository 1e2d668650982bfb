/**
 * Script rendering: a fixed template body plus a prelude that assigns each parameter, encoded by
 * `encode.ts`, to a `$vmshift_<name>` variable. The body only ever refers to those variables, so
 * no value is ever part of the template text. Every script writes exactly one JSON document to
 * stdout: `{"ok":true,"data":…}` or `{"ok":false,"error":{…}}` built from the PowerShell error
 * record, and nothing to stderr (node-powershell treats any stderr output as a failure).
 */
import { VmshiftError } from "@vmshift/core";
import { type PsValue, psString, psValue } from "./encode.ts";

/** A named script template. */
export interface ScriptTemplate {
  /** Operation name; first line of every script is `# vmshift:<name>`. */
  readonly name: string;
  /** Parameter names the body uses as `$vmshift_<name>`. */
  readonly params: readonly string[];
  /** PowerShell body; assigns its result to `$vmshift_result`. */
  readonly body: string;
}

/** Parameter values of one script run. */
export type ScriptParams = Readonly<Record<string, PsValue>>;

const PARAM_NAME_RE = /^[A-Za-z][A-Za-z0-9]*$/;

/** Prefix of each parameter variable. */
export const PARAM_PREFIX = "$vmshift_";

/**
 * Renders a template with its parameters. Throws `INVALID_ARGUMENT` when a parameter is missing,
 * unknown or cannot be encoded.
 */
export function renderScript(template: ScriptTemplate, params: ScriptParams): string {
  const given = Object.keys(params);
  for (const name of given) {
    if (!template.params.includes(name)) throw new VmshiftError("INVALID_ARGUMENT", `script ${template.name} has no parameter ${name}`, { adapter: "hyperv" });
  }
  const lines = [`# vmshift:${template.name}`, "$ErrorActionPreference = 'Stop'", "$ProgressPreference = 'SilentlyContinue'"];
  for (const name of template.params) {
    if (!PARAM_NAME_RE.test(name)) throw new VmshiftError("INTERNAL", `bad parameter name ${name}`, { adapter: "hyperv" });
    const value = params[name];
    if (value === undefined) throw new VmshiftError("INVALID_ARGUMENT", `script ${template.name} needs parameter ${name}`, { adapter: "hyperv" });
    lines.push(`${PARAM_PREFIX}${name} = ${psValue(value)}`);
  }
  lines.push(ENVELOPE_START, template.body.trim(), ENVELOPE_END);
  return `${lines.join("\n")}\n`;
}

const ENVELOPE_START = `$vmshift_result = $null
try {`;

// Catch builds one error object from the ErrorRecord; -Compress keeps it on one line.
const ENVELOPE_END = `  [pscustomobject]@{ ok = $true; data = $vmshift_result } | ConvertTo-Json -Depth 8 -Compress
} catch {
  $vmshift_err = $_
  $vmshift_ex = $vmshift_err.Exception
  [pscustomobject]@{ ok = $false; error = [pscustomobject]@{
    fullyQualifiedErrorId = [string]$vmshift_err.FullyQualifiedErrorId
    category = [string]$vmshift_err.CategoryInfo.Category
    exceptionType = [string]$vmshift_ex.GetType().FullName
    hresult = [int]$vmshift_ex.HResult
    message = [string]$vmshift_ex.Message
  } } | ConvertTo-Json -Depth 4 -Compress
}`;

/**
 * The single line node-powershell writes to the shell's stdin for a script: the script travels
 * as base64 (UTF-8) and is turned into a script block inside PowerShell, so line handling of
 * `-Command -` never sees the script's own newlines. `invoker` wraps the script block (e.g. in
 * `Invoke-Command -Session …`); default `& $sb`.
 */
export function wireCommand(script: string, invoker: (scriptBlockExpression: string) => string = (sb) => `& ${sb}`): string {
  const b64 = Buffer.from(script, "utf8").toString("base64");
  return invoker(`([ScriptBlock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String(${psString(b64)}))))`);
}

const WIRE_RE = /\[Convert\]::FromBase64String\('([A-Za-z0-9+/=]*)'\)/;

/** The script carried by a {@link wireCommand} line, or undefined. Used by the stand-in and the recorder. */
export function scriptFromWire(line: string): string | undefined {
  const m = WIRE_RE.exec(line);
  return m ? Buffer.from(m[1]!, "base64").toString("utf8") : undefined;
}
