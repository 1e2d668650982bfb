/**
 * `vmshift target serve`: a test platform in its own process, reached by later CLI runs through the
 * config it writes, so state carries from one command to the next (what the in-process simulator
 * profile cannot do), and cleaned up when it is stopped.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT } from "../src/io.ts";
import { runCli } from "./run-cli.ts";

const BIN = fileURLToPath(new URL("../src/bin.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "vmshift-serve-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `vmshift target serve <name>` and resolves with its ready line's fields. */
function serve(name: string): Promise<{ child: ChildProcess; config: string; url: string; exited: Promise<number | null> }> {
  const config = join(dir, `${name}.yaml`);
  const child = spawn(process.execPath, [BIN, "target", "serve", name, "--config-out", config], { env: { ...process.env, XDG_CONFIG_HOME: dir }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const ready = /^ready (\S+) profile=(\S+) config=(\S+) url=(\S+)$/m.exec(out);
      if (ready) resolve({ child, config: ready[3]!, url: ready[4]!, exited });
    });
    void exited.then((code) => reject(new Error(`target serve ${name} exited ${code} before it was ready: ${err}`)));
  });
}

describe("vmshift target serve", () => {
  it("serves the simulator: state carries across CLI runs, the config is private, and it all goes on Ctrl-C", { timeout: 120_000 }, async () => {
    const { child, config, url, exited } = await serve("simulator");
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(statSync(config).mode & 0o777).toBe(0o600);
    const text = readFileSync(config, "utf8");
    expect(text).toMatch(/token:\n\s+file: /); // the token is a file reference, never inline
    const tokenFile = /\sfile: (\S+)/.exec(text)![1]!;
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);

    const moved = await runCli(["migrate", "web-01", "--to", "host-2", "--json", "--config", config]);
    expect(moved.code, moved.stderr).toBe(EXIT.ok);
    const vm = await runCli(["vms", "--json", "--config", config]);
    const web = vm.stdout.trim().split("\n").map((l) => JSON.parse(l) as { id: string; hostId: string }).find((v) => v.id === "web-01");
    expect(web?.hostId).toBe("host-2"); // a second process sees what the first one did

    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(existsSync(config)).toBe(false);
    expect(existsSync(tokenFile)).toBe(false);
  });

  it("a target it cannot serve is a usage error naming what it can", async () => {
    const r = await runCli(["target", "serve", "no-such-target"]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/cannot serve no-such-target \(servable here: simulator, kubevirt-env, nutanix-server\)/);
  });

  it("serves kubevirt-env with a kubeconfig that vmshift and kubectl both use", { timeout: 120_000 }, async () => {
    const { child, config, exited } = await serve("kubevirt-env");
    const kubeconfig = /kubeconfig: (\S+)/.exec(readFileSync(config, "utf8"))![1]!;
    expect(statSync(kubeconfig).mode & 0o777).toBe(0o600);
    const vms = await runCli(["vms", "--json", "--config", config]);
    expect(vms.code, vms.stderr).toBe(EXIT.ok);
    expect(vms.stdout).toContain('"id":"default/');
    const kubectl = spawnSync("kubectl", ["--kubeconfig", kubeconfig, "get", "--raw", "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances"], { encoding: "utf8" });
    expect(kubectl.status, kubectl.stderr).toBe(0); // kubectl 1.32 comes with this machine image
    expect((JSON.parse(kubectl.stdout) as { kind: string }).kind).toBe("VirtualMachineInstanceList");
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(existsSync(kubeconfig)).toBe(false);
  });
});
