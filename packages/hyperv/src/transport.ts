/**
 * The only file that does I/O: a long-lived PowerShell process driven by node-powershell, local
 * or connected to a Hyper-V host through PowerShell remoting. Scripts reach the shell as one
 * line (`wireCommand`), so no value is ever spliced into shell text and node-powershell's `$`
 * template is never used. The remoting password travels in the child's environment, is read
 * once into a PSCredential and removed from the environment; it never appears in any script.
 */
import { PowerShell } from "node-powershell";
import { VmshiftError, redact } from "@vmshift/core";
import { psString, psValue } from "./encode.ts";
import { wireCommand } from "./script.ts";

/** Executes script text and returns what it wrote to stdout. The seam for other transports and for tests. */
export interface PowerShellTransport {
  /** Runs one rendered script; resolves with its stdout text; rejects with a `VmshiftError` (TRANSPORT, TIMEOUT, ABORTED). */
  execute(script: string, options?: { readonly signal?: AbortSignal; readonly timeoutMs?: number }): Promise<string>;
  /** Whether scripts run on another machine than this process (for the double-hop check). */
  readonly remote: RemoteDescription | undefined;
  close(): Promise<void>;
}

/** How the transport reaches the Hyper-V host, as far as preflight needs to know. */
export interface RemoteDescription {
  readonly via: "winrm" | "ssh";
  readonly host: string;
  /** WinRM authentication mechanism in use; `CredSSP` lets the source host delegate your credentials. */
  readonly authentication?: RemoteAuthentication;
}

/** `Invoke-Command`/`New-PSSession -Authentication` values vmshift passes through. */
export type RemoteAuthentication = "Default" | "Kerberos" | "Negotiate" | "CredSSP";

/** PowerShell remoting target. */
export type RemoteOptions =
  | {
      /** WinRM (`New-PSSession -ComputerName`). */
      readonly computerName: string;
      readonly userName?: string;
      /** Read from the environment of the child process only; never written into a script. */
      readonly password?: string;
      /** Default `Default` (Kerberos in a domain). */
      readonly authentication?: RemoteAuthentication;
      /** HTTPS listener (5986). Default false. */
      readonly useSsl?: boolean;
      readonly port?: number;
    }
  | {
      /** SSH remoting (`New-PSSession -HostName`, PowerShell 7 on both ends). Key-based authentication only. */
      readonly hostName: string;
      readonly userName?: string;
      readonly keyFilePath?: string;
      readonly port?: number;
    };

/** The subset of node-powershell's `PowerShell` the transport uses (injectable for tests). */
export interface ShellLike {
  invoke(command: string): Promise<{ readonly raw: string; readonly hadErrors: boolean }>;
  dispose(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * What the transport hands the shell factory: the subset of node-powershell's constructor options
 * it sets. Declared here so the published declarations do not pull in node-powershell's own
 * (whose dependency child-shell imports the untyped `debug`, failing consumers that check libraries).
 */
export interface ShellOptions {
  readonly executable?: string;
  readonly executableOptions: Readonly<Record<string, string | boolean>>;
  readonly spawnOptions: { readonly env: Readonly<Record<string, string | undefined>> };
}

/** Options of {@link NodePowerShellTransport}. */
export interface NodePowerShellTransportOptions {
  /** `pwsh` (default), `powershell` (Windows PowerShell 5.1) or a path. */
  readonly executable?: string;
  /** Extra arguments, e.g. `{ "-NoProfile": true }`; node-powershell adds `-NoLogo -NoExit -Command -`. Default `-NoProfile -NonInteractive`. */
  readonly executableOptions?: Readonly<Record<string, string | boolean>>;
  /** Remote Hyper-V host; absent runs on this machine. */
  readonly remote?: RemoteOptions;
  /** Extra environment for the shell process (merged over `process.env`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Per-script limit, ms. Default 10 minutes. On timeout the shell is discarded (node-powershell cannot interrupt a command). */
  readonly timeoutMs?: number;
  /** Makes the shell; default `new PowerShell(options)` from node-powershell. */
  readonly createShell?: (options: ShellOptions) => ShellLike;
}

const PASSWORD_ENV = "VMSHIFT_PS_PASSWORD";

/**
 * Sent once to every new shell: output goes through the console, whose default encoding is the
 * OEM code page (437, 850, …) on Windows, so non-ASCII names would arrive mangled. UTF-8 without
 * a byte-order mark, for the console writer ([Console]::OutputEncoding, which scripts' output
 * goes through) and for pipes to native programs ($OutputEncoding), in Windows PowerShell 5.1
 * and PowerShell 7 alike. Remote output comes back as objects and is written by this local shell.
 */
export const UTF8_OUTPUT = "$vmshiftUtf8 = New-Object System.Text.UTF8Encoding $false; [Console]::OutputEncoding = $vmshiftUtf8; $OutputEncoding = $vmshiftUtf8";

/** A {@link PowerShellTransport} over node-powershell. One shell, created on first use, re-created after a timeout or abort. */
export class NodePowerShellTransport implements PowerShellTransport {
  readonly remote: RemoteDescription | undefined;
  readonly #options: NodePowerShellTransportOptions;
  #shell: Promise<ShellLike> | undefined;

  constructor(options: NodePowerShellTransportOptions = {}) {
    this.#options = options;
    const r = options.remote;
    this.remote = r === undefined ? undefined : "computerName" in r ? { via: "winrm", host: r.computerName, authentication: r.authentication ?? "Default" } : { via: "ssh", host: r.hostName };
  }

  async execute(script: string, options: { readonly signal?: AbortSignal; readonly timeoutMs?: number } = {}): Promise<string> {
    if (options.signal?.aborted) throw new VmshiftError("ABORTED", "aborted before the script was sent", { adapter: "hyperv" });
    const shell = await this.#getShell();
    const line = wireCommand(script, (sb) => `${this.remote ? `Invoke-Command -Session $vmshiftSession -ScriptBlock ${sb}` : `& ${sb}`} | ForEach-Object { [Console]::Out.WriteLine([string]$_) }`);
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs ?? 600_000;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const interrupted = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new VmshiftError("TIMEOUT", `PowerShell did not answer within ${timeoutMs} ms`, { adapter: "hyperv" })), timeoutMs);
      onAbort = () => reject(new VmshiftError("ABORTED", "aborted while PowerShell was running", { adapter: "hyperv" }));
      options.signal?.addEventListener("abort", onAbort, { once: true });
    });
    try {
      let result: { readonly raw: string };
      try {
        result = await Promise.race([shell.invoke(line), interrupted]);
      } catch (error) {
        // A broken remoting session ran nothing: open a new one (the credential stays in the shell) and send the script once more.
        if (!this.remote || !isBrokenSession(error)) throw error;
        await Promise.race([shell.invoke(`Remove-PSSession -Session $vmshiftSession -ErrorAction SilentlyContinue; ${openSession(this.#options.remote!)}`), interrupted]);
        result = await Promise.race([shell.invoke(line), interrupted]);
      }
      return result.raw;
    } catch (error) {
      if (error instanceof VmshiftError) {
        // A timed-out shell may be hung: replace it. An abort only stops waiting; the shell (and
        // any Move-VM job running in its session) is kept, and the next script queues behind.
        if (error.code === "TIMEOUT") await this.#discard();
        throw error;
      }
      // A shell process that died cannot take more commands: the next script starts a new one.
      if (isDeadShell(error)) await this.#discard();
      throw this.#transportError(error);
    } finally {
      clearTimeout(timer);
      if (onAbort) options.signal?.removeEventListener("abort", onAbort);
    }
  }

  async close(): Promise<void> {
    await this.#discard();
  }

  async #discard(): Promise<void> {
    const shell = this.#shell;
    this.#shell = undefined;
    if (shell) await shell.then((s) => s.dispose()).catch(() => undefined);
  }

  #getShell(): Promise<ShellLike> {
    this.#shell ??= this.#startShell().catch((error: unknown) => {
      this.#shell = undefined;
      throw error;
    });
    return this.#shell;
  }

  async #startShell(): Promise<ShellLike> {
    const o = this.#options;
    const remote = o.remote;
    const password = remote && "computerName" in remote ? remote.password : undefined;
    const env: Record<string, string | undefined> = { ...process.env, ...o.env };
    if (password !== undefined) env[PASSWORD_ENV] = password;
    const shellOptions: ShellOptions = {
      executableOptions: o.executableOptions ?? { "-NoProfile": true, "-NonInteractive": true },
      spawnOptions: { env },
      ...(o.executable === undefined ? {} : { executable: o.executable }),
    };
    let shell: ShellLike;
    try {
      shell = o.createShell ? o.createShell(shellOptions) : new PowerShell(shellOptions as ConstructorParameters<typeof PowerShell>[0]);
    } catch (error) {
      throw this.#transportError(error);
    }
    // One round trip: the UTF-8 switch travels with the session setup when there is one.
    try {
      await shell.invoke(remote ? `${UTF8_OUTPUT}; ${sessionSetup(remote)}` : UTF8_OUTPUT);
    } catch (error) {
      await shell.dispose().catch(() => undefined);
      throw this.#transportError(error);
    }
    return shell;
  }

  #transportError(error: unknown): VmshiftError {
    const secrets = this.#secrets();
    const text = redact(error instanceof Error ? error.message : String(error), secrets);
    const code = /Access is denied|logon failure|password is incorrect/i.test(text) ? "UNAUTHENTICATED" : "TRANSPORT";
    const hint = /ENOENT/.test(text) ? ` (is ${this.#options.executable ?? "pwsh"} installed and on PATH? set the executable option)` : "";
    return new VmshiftError(code, `PowerShell failed: ${text}${hint}`, { adapter: "hyperv", details: { executable: this.#options.executable ?? "pwsh" } });
  }

  #secrets(): string[] {
    const r = this.#options.remote;
    return r && "computerName" in r && r.password ? [r.password] : [];
  }
}

/**
 * The one-time command that prepares the local shell: reads the password from the environment
 * variable into `$vmshiftCredential`, removes the variable, and opens `$vmshiftSession`. Every
 * value goes through `psString`.
 */
export function sessionSetup(remote: RemoteOptions): string {
  const parts: string[] = [];
  if ("computerName" in remote && remote.userName !== undefined && remote.password !== undefined) {
    parts.push(
      `$vmshiftCredential = New-Object System.Management.Automation.PSCredential(${psString(remote.userName)}, (ConvertTo-SecureString -String $env:${PASSWORD_ENV} -AsPlainText -Force))`,
      `Remove-Item -Path Env:${PASSWORD_ENV}`,
    );
  }
  parts.push(openSession(remote));
  return parts.join("; ");
}

/** Opens (or re-opens) `$vmshiftSession`; uses `$vmshiftCredential` when a password was given. */
export function openSession(remote: RemoteOptions): string {
  const parts: string[] = [];
  if ("computerName" in remote) {
    const cred = remote.userName !== undefined && remote.password !== undefined;
    const args = [`-ComputerName ${psString(remote.computerName)}`, `-Authentication ${psString(remote.authentication ?? "Default")}`];
    if (cred) args.push("-Credential $vmshiftCredential");
    if (remote.useSsl) args.push("-UseSSL");
    if (remote.port !== undefined) args.push(`-Port ${psValue(Math.trunc(remote.port))}`);
    parts.push(`$vmshiftSession = New-PSSession ${args.join(" ")} -ErrorAction Stop`);
  } else {
    const args = [`-HostName ${psString(remote.hostName)}`];
    if (remote.userName !== undefined) args.push(`-UserName ${psString(remote.userName)}`);
    if (remote.keyFilePath !== undefined) args.push(`-KeyFilePath ${psString(remote.keyFilePath)}`);
    if (remote.port !== undefined) args.push(`-Port ${psValue(Math.trunc(remote.port))}`);
    parts.push(`$vmshiftSession = New-PSSession ${args.join(" ")} -ErrorAction Stop`);
  }
  return parts.join("; ");
}

/** PowerShell's words for a remoting session that can no longer run commands. */
function isBrokenSession(error: unknown): boolean {
  return error instanceof Error && /(PSSessionStateBroken|session state .{0,80}(Broken|Closed)|not equal to Open|The session .{0,80} is not available)/i.test(error.message);
}

/** node-powershell's errors for a shell process that has exited. */
function isDeadShell(error: unknown): boolean {
  return error instanceof Error && (error.name === "ProcessError" || /process exited|Shell process .{0,20}exited/i.test(error.message));
}
