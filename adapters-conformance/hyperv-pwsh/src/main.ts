/**
 * The stand-in `pwsh`. node-powershell starts it with `-NoLogo -NoExit -Command -` and, for each
 * invocation, writes five lines to stdin: `[Console]::Error.WriteLine("<delimiter>")`,
 * `[Console]::Out.WriteLine("<delimiter>")`, the command, and the two delimiter lines again. It
 * then reads stdout and stderr up to the second delimiter on each; anything on stderr fails the
 * invocation. This program executes those lines in order, as PowerShell would:
 *
 * - the delimiter lines echo their argument to stdout or stderr;
 * - a `New-PSSession` line opens the remoting session (checking the password came through the
 *   environment, never through the text);
 * - a vmshift wire line (`…FromBase64String('<script>')…`) runs the script against the model
 *   (`VMSHIFT_PWSH_STATE`) or answers from a recorded transcript (`VMSHIFT_PWSH_TRANSCRIPT`);
 * - a line that sets both `[Console]::OutputEncoding` and `$OutputEncoding` to a UTF-8 encoding
 *   switches the shell's output to UTF-8; until then script output goes through the console's
 *   default OEM code page, which cannot carry most non-ASCII characters (they arrive as `?`);
 * - anything else is an unknown command (stderr), as a real shell would report it.
 */
import { createInterface } from "node:readline";
import { scriptFromWire } from "@vmshift/hyperv";
import { runModel, sessionEpoch } from "./run-model.ts";
import { Replayer } from "./replay.ts";

const statePath = process.env["VMSHIFT_PWSH_STATE"];
const transcriptPath = process.env["VMSHIFT_PWSH_TRANSCRIPT"];
const expectedPassword = process.env["VMSHIFT_PWSH_EXPECT_PASSWORD"];
const replayer = transcriptPath ? Replayer.load(transcriptPath) : undefined;
let session = false;
let epoch = 0;
let credential = false;
/** Output encoding: the console's OEM code page until the shell is switched to UTF-8. */
let utf8 = false;

const out = (text: string): void => void process.stdout.write(`${text}\n`);
const err = (text: string): void => void process.stderr.write(`${text}\n`);
/** Script output as the console writes it: through the OEM code page (non-ASCII lost) unless UTF-8 was set. */
const console_ = (text: string): void => out(utf8 ? text : text.replace(/[^\x00-\x7f]/gu, "?"));
const UTF8_RE = /(\[Text\.Encoding\]::UTF8|New-Object\s+System\.Text\.UTF8Encoding|\[System\.Text\.UTF8Encoding\]::new)/;

function handle(line: string): void {
  const echo = /^\[Console\]::(Out|Error)\.WriteLine\("([0-9A-Za-z]*)"\)\s*$/.exec(line);
  if (echo) return (echo[1] === "Out" ? out : err)(echo[2]!);
  if (line.trim() === "") return;
  if (expectedPassword && line.includes(expectedPassword)) return err("stand-in pwsh: the remoting password appeared in script text");
  if (/\[Console\]::OutputEncoding\s*=/.test(line)) {
    if (/\$OutputEncoding\s*=/.test(line) && UTF8_RE.test(line)) utf8 = true;
    if (!/\bNew-PSSession\b/.test(line)) return;
  }
  if (/\bNew-PSSession\b/.test(line)) return openSession(line);
  const script = scriptFromWire(line);
  if (script === undefined) return err(`${line.split(/\s/)[0]}: The term '${line.split(/\s/)[0]}' is not recognized as a name of a cmdlet, function, script file, or executable program.`);
  if (line.startsWith("Invoke-Command -Session $vmshiftSession")) {
    if (!session) return err("Invoke-Command: Cannot validate argument on parameter 'Session'. The argument is null or empty.");
    if (statePath && sessionEpoch(statePath) !== epoch) {
      return err("Invoke-Command: Because the session state for session WinRM1, MGMT-01 is not equal to Open, you cannot run a command in the session. The session state is Broken.");
    }
  }
  if (!/\| ForEach-Object \{ \[Console\]::Out\.WriteLine\(\[string\]\$_\) \}$/.test(line)) return err("stand-in pwsh: output is not written through [Console]::Out");
  if (replayer) {
    const answer = replayer.answer(script);
    return answer === undefined ? err(`stand-in pwsh: no recorded answer for this script (${script.split("\n")[0]})`) : console_(answer);
  }
  if (!statePath) return err("stand-in pwsh: set VMSHIFT_PWSH_STATE or VMSHIFT_PWSH_TRANSCRIPT");
  const outcome = runModel(statePath, script, { edition: process.env["VMSHIFT_PWSH_EDITION"] === "Desktop" ? "Desktop" : "Core" });
  if ("die" in outcome) process.exit(1);
  if ("stderr" in outcome) return err(outcome.stderr);
  console_(outcome.stdout);
}

function openSession(line: string): void {
  if (line.includes("$env:VMSHIFT_PS_PASSWORD")) {
    const password = process.env["VMSHIFT_PS_PASSWORD"];
    if (!password) return err("ConvertTo-SecureString: Cannot bind argument to parameter 'String' because it is null.");
    if (expectedPassword && password !== expectedPassword) return err("New-PSSession: Access is denied. (logon failure)");
    delete process.env["VMSHIFT_PS_PASSWORD"];
    credential = true;
  }
  if (line.includes("-Credential $vmshiftCredential") && !credential) return err("New-PSSession: Cannot bind argument to parameter 'Credential' because it is null.");
  if (expectedPassword && !line.includes("-Credential $vmshiftCredential")) return err("New-PSSession: Access is denied.");
  session = true;
  epoch = statePath ? sessionEpoch(statePath) : 0;
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on("line", (line) => {
  try {
    handle(line);
  } catch (error) {
    err(`stand-in pwsh: ${error instanceof Error ? error.message : String(error)}`);
  }
});
rl.on("close", () => process.exit(0));
