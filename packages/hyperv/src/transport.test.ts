import { describe, expect, it } from "vitest";
import { createNodePowerShellRunner } from "./factory.ts";
import { RecordingTransport, parseScript } from "./recorder.ts";
import { createRunner } from "./runner.ts";
import { renderScript, scriptFromWire } from "./script.ts";
import { SCRIPTS } from "./scripts/index.ts";
import { NodePowerShellTransport, type PowerShellTransport, type ShellLike, UTF8_OUTPUT, sessionSetup } from "./transport.ts";

const PASSWORD = "Pa$$w0rd'`;\u2019x";

/** A fake node-powershell shell: records commands (the UTF-8 output setup apart) and answers with `answer`. */
function fakeShell(answer: (command: string) => Promise<string> | string) {
  const commands: string[] = [];
  const setups: string[] = [];
  const spawned: { options: unknown }[] = [];
  let disposed = 0;
  const createShell = (options: unknown): ShellLike => {
    spawned.push({ options });
    return {
      async invoke(command) {
        if (command === UTF8_OUTPUT) {
          setups.push(command);
          return { raw: "", hadErrors: false };
        }
        if (command.startsWith(`${UTF8_OUTPUT}; `)) {
          setups.push(UTF8_OUTPUT);
          command = command.slice(UTF8_OUTPUT.length + 2);
        }
        if (setups.length < spawned.length) throw new Error("a command before the UTF-8 output setup");
        commands.push(command);
        return { raw: await answer(command), hadErrors: false };
      },
      async dispose() {
        disposed++;
      },
    };
  };
  return { createShell, commands, setups, spawned, disposed: () => disposed };
}

describe("NodePowerShellTransport", () => {
  it("switches every new shell to UTF-8 output (console and pipes) before anything else, 5.1 and 7 alike", async () => {
    const shell = fakeShell(() => '{"ok":true,"data":null}');
    const transport = new NodePowerShellTransport({ createShell: shell.createShell, executable: "powershell" });
    await transport.execute("x");
    expect(shell.setups).toEqual([UTF8_OUTPUT]);
    expect(UTF8_OUTPUT).toMatch(/\[Console\]::OutputEncoding = \$vmshiftUtf8/);
    expect(UTF8_OUTPUT).toMatch(/\$OutputEncoding = \$vmshiftUtf8/);
    expect(UTF8_OUTPUT).toMatch(/New-Object System\.Text\.UTF8Encoding \$false/);
  });

  it("opens a WinRM session with the password from the environment only, then sends each script as one line", async () => {
    const shell = fakeShell((c) => (c.includes("New-PSSession") ? "" : '{"ok":true,"data":[]}'));
    const runner = createNodePowerShellRunner({ remote: { computerName: "HV-A", userName: "LAB\\ops", password: PASSWORD, authentication: "CredSSP" }, createShell: shell.createShell });
    await expect(runner.run(SCRIPTS.listVms, { hostList: ["HV-A"] }, { operation: "vm.list" })).resolves.toEqual([]);
    expect(shell.commands).toHaveLength(2);
    for (const c of shell.commands) expect(c).not.toContain(PASSWORD);
    expect(shell.commands[0]).toContain("$env:VMSHIFT_PS_PASSWORD");
    expect(shell.commands[0]).toContain("-Authentication 'CredSSP'");
    expect(shell.commands[0]).toContain("'LAB\\ops'");
    const env = (shell.spawned[0]!.options as { spawnOptions: { env: Record<string, string> } }).spawnOptions.env;
    expect(env["VMSHIFT_PS_PASSWORD"]).toBe(PASSWORD);
    expect(shell.commands[1]).not.toContain("\n");
    expect(shell.commands[1]).toMatch(/^Invoke-Command -Session \$vmshiftSession -ScriptBlock /);
    expect(scriptFromWire(shell.commands[1]!)).toBe(renderScript(SCRIPTS.listVms, { hostList: ["HV-A"] }));
    expect(runner.remote).toEqual({ via: "winrm", host: "HV-A", authentication: "CredSSP" });
  });

  it("builds SSH sessions from literals", () => {
    expect(sessionSetup({ hostName: "hv'a", userName: "ops", keyFilePath: "/k", port: 2222 })).toBe("$vmshiftSession = New-PSSession -HostName 'hv''a' -UserName 'ops' -KeyFilePath '/k' -Port 2222 -ErrorAction Stop");
  });

  it("times out, discards the shell and starts a new one for the next script", async () => {
    let calls = 0;
    const shell = fakeShell(() => (++calls === 1 ? new Promise<string>(() => undefined) : '{"ok":true,"data":null}'));
    const transport = new NodePowerShellTransport({ createShell: shell.createShell, timeoutMs: 20 });
    await expect(transport.execute("x")).rejects.toMatchObject({ code: "TIMEOUT" });
    expect(shell.disposed()).toBe(1);
    await expect(transport.execute("y")).resolves.toBe('{"ok":true,"data":null}');
    expect(shell.spawned).toHaveLength(2);
  });

  it("an aborted wait keeps the shell; the next script queues behind the running one", async () => {
    let release: (() => void) | undefined;
    const shell = fakeShell((c) => (scriptFromWire(c) === "slow" ? new Promise<string>((r) => (release = () => r("late"))) : "fast"));
    const transport = new NodePowerShellTransport({ createShell: shell.createShell });
    const abort = new AbortController();
    const slow = transport.execute("slow", { signal: abort.signal });
    await new Promise((r) => setImmediate(r));
    abort.abort();
    await expect(slow).rejects.toMatchObject({ code: "ABORTED" });
    expect(shell.disposed()).toBe(0);
    release!();
    await expect(transport.execute("next")).resolves.toBe("fast");
    expect(shell.spawned).toHaveLength(1);
  });

  it("re-opens a broken remoting session with the kept credential and sends the script once more", async () => {
    let broken = true;
    const shell = fakeShell((c) => {
      if (c.includes("New-PSSession")) return "";
      if (broken) {
        broken = false;
        throw new Error("Invoke-Command: Because the session state for session WinRM1 is not equal to Open, you cannot run a command in the session. The session state is Broken.");
      }
      return '{"ok":true,"data":null}';
    });
    const transport = new NodePowerShellTransport({ remote: { computerName: "HV-A", userName: "u", password: PASSWORD }, createShell: shell.createShell });
    await expect(transport.execute("x")).resolves.toBe('{"ok":true,"data":null}');
    expect(shell.commands.map((c) => (c.includes("New-PSSession") ? (c.includes("VMSHIFT_PS_PASSWORD") ? "setup" : "reopen") : "script"))).toEqual(["setup", "script", "reopen", "script"]);
    expect(shell.commands[2]).toContain("-Credential $vmshiftCredential");
    expect(shell.spawned).toHaveLength(1);
  });

  it("replaces a shell whose process died", async () => {
    let calls = 0;
    const shell = fakeShell(() => {
      if (++calls === 1) throw Object.assign(new Error("Shell process 123 exited."), { name: "ProcessError" });
      return "ok";
    });
    const transport = new NodePowerShellTransport({ createShell: shell.createShell });
    await expect(transport.execute("x")).rejects.toMatchObject({ code: "TRANSPORT", retryable: true });
    expect(shell.disposed()).toBe(1);
    await expect(transport.execute("y")).resolves.toBe("ok");
    expect(shell.spawned).toHaveLength(2);
  });

  it("names the executable when it cannot be started", async () => {
    const transport = new NodePowerShellTransport({ executable: "/nonexistent/pwsh", createShell: () => { throw new Error("spawn /nonexistent/pwsh ENOENT"); } });
    await expect(transport.execute("x")).rejects.toMatchObject({ code: "TRANSPORT", message: expect.stringMatching(/installed and on PATH/) });
  });

  it("turns shell failures into TRANSPORT errors with the password masked", async () => {
    const shell = fakeShell((c) => {
      if (c.includes("New-PSSession")) return "";
      throw new Error(`Connecting to remote server failed for ${PASSWORD}`);
    });
    const runner = createNodePowerShellRunner({ remote: { computerName: "HV-A", userName: "u", password: PASSWORD }, createShell: shell.createShell });
    const error = (await runner.run(SCRIPTS.probe, {}, { operation: "probe" }).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ code: "TRANSPORT", operation: "probe" });
    expect(error.message).not.toContain(PASSWORD);
  });

  it("maps a script's error envelope through the error table", async () => {
    const transport: PowerShellTransport = {
      remote: undefined,
      execute: async () => '{"ok":false,"error":{"fullyQualifiedErrorId":"VmshiftVmNotFound,VmshiftRequireVm","category":13,"message":"no virtual machine"}}',
      close: async () => undefined,
    };
    await expect(createRunner(transport).run(SCRIPTS.stopVm, { vmId: "v", hostList: [], timeoutSeconds: 5 }, { operation: "migration.start", subject: "v" })).rejects.toMatchObject({ code: "NOT_FOUND", subject: "v" });
  });
});

describe("RecordingTransport", () => {
  it("keeps each exchange with decoded parameters, redacted", async () => {
    const inner: PowerShellTransport = { remote: undefined, execute: async () => '{"ok":true,"data":{"note":"password=hunter22 on HV-PROD-01"}}', close: async () => undefined };
    const recorder = new RecordingTransport(inner, { secrets: ["hunter22"], replace: { "HV-PROD-01": "host-a" } });
    await createRunner(recorder).run(SCRIPTS.getVm, { vmId: "v'1", hostList: ["HV-PROD-01", "b"] }, { operation: "vm.get" });
    const [exchange] = recorder.exchanges;
    expect(exchange!.script).toBe("getVm");
    expect(exchange!.params).toEqual({ vmId: "v'1", hostList: ["host-a", "b"] });
    expect(exchange!.text).not.toContain("HV-PROD-01");
    expect(exchange!.stdout).not.toContain("hunter22");
    expect(exchange!.stdout).toContain("host-a");
  });

  it("parseScript inverts the prelude for every template", () => {
    for (const template of Object.values(SCRIPTS)) {
      const params = Object.fromEntries(template.params.map((p, i) => [p, p.endsWith("List") ? ["a'b", "c\nd"] : p === "timeoutSeconds" ? 30 : `v${i}'$(x)`]));
      const parsed = parseScript(renderScript(template, params));
      expect(parsed.name).toBe(template.name);
      expect(parsed.params).toEqual(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === "number" ? String(v) : v])));
    }
  });
});
