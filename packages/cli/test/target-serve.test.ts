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
import { runCli } from "../../../test-support/run-cli.ts";

const BIN = fileURLToPath(new URL("../src/bin.ts", import.meta.url));
/** Built by .ci/setup.d/30-vsphere.sh (the launcher, and govc from Debian's govmomi source). */
const VCSIM = fileURLToPath(new URL("../../../.cache/vcsim/vmshift-vcsim", import.meta.url));
const GOVC = fileURLToPath(new URL("../../../.cache/vcsim/govc", import.meta.url));
/** The libvirt lab's guest image, built by .ci/setup.d/40-libvirt.sh. */
const LAB_GUEST = fileURLToPath(new URL("../../../.cache/libvirt-lab/guest", import.meta.url));
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
    expect(r.stderr).toMatch(/cannot serve no-such-target \(servable here: simulator, kubevirt-env, nutanix-server, vsphere-vcsim, hyperv-transcripts, libvirt-local\)/);
  });

  it("serves kubevirt-env with a kubeconfig that vmshift and kubectl both use", { timeout: 120_000 }, async () => {
    const { child, config, exited } = await serve("kubevirt-env");
    const served = readFileSync(config, "utf8");
    const kubeconfig = /kubeconfig: (\S+)/.exec(served)![1]!;
    expect(served).toMatch(/uploadProxyUrl: https:\/\/127\.0\.0\.1:\d+/); // CDI's upload proxy, for moves into it
    const cdiCa = /uploadProxyCa:\n\s+file: (\S+)/.exec(served)![1]!;
    expect(readFileSync(cdiCa, "utf8")).toContain("BEGIN CERTIFICATE");
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
    expect(existsSync(cdiCa)).toBe(false);
  });

  it.skipIf(!existsSync(VCSIM))("serves vsphere-vcsim: vmshift migrates in one process, the next one and govc see the VM on its new host", { timeout: 120_000 }, async () => {
    const { child, config, url, exited } = await serve("vsphere-vcsim");
    const text = readFileSync(config, "utf8");
    const caFile = /ca:\n\s+file: (\S+)/.exec(text)![1]!; // verified against the launcher's certificate, not skipped
    expect(readFileSync(caFile, "utf8")).toContain("BEGIN CERTIFICATE");
    const passwordFile = /password:\n\s+file: (\S+)/.exec(text)![1]!;
    expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
    const list = async () => (await runCli(["vms", "--json", "--config", config])).stdout.trim().split("\n").map((l) => JSON.parse(l) as { id: string; name: string; hostId: string; powerState: string });
    const hosts = (await runCli(["hosts", "--json", "--config", config])).stdout.trim().split("\n").map((l) => JSON.parse(l) as { id: string; clusterId?: string; schedulable: boolean });
    const clustered = new Set(hosts.filter((h) => h.clusterId !== undefined).map((h) => h.id));
    const running = (await list()).find((v) => v.powerState === "running" && clustered.has(v.hostId))!;
    const source = hosts.find((h) => h.id === running.hostId)!;
    const target = hosts.find((h) => h.id !== source.id && h.clusterId === source.clusterId && h.schedulable)!;
    const moved = await runCli(["migrate", running.id, "--to", target.id, "--json", "--config", config]);
    expect(moved.code, moved.stderr).toBe(EXIT.ok);
    expect((await list()).find((v) => v.id === running.id)?.hostId).toBe(target.id);
    if (existsSync(GOVC)) {
      const info = spawnSync(GOVC, ["vm.info", "-json", running.name], {
        encoding: "utf8",
        env: { PATH: process.env["PATH"] ?? "", HOME: dir, GOVC_URL: url, GOVC_USERNAME: "vmshift", GOVC_PASSWORD: readFileSync(passwordFile, "utf8"), GOVC_TLS_CA_CERTS: caFile, GOVC_PERSIST_SESSION: "false" },
      });
      expect(info.status, info.stderr).toBe(0);
      const vm = (JSON.parse(info.stdout) as { VirtualMachines: { Runtime: { Host: { Value: string } } }[] }).VirtualMachines[0]!;
      expect(vm.Runtime.Host.Value).toBe(target.id);
    }
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(existsSync(passwordFile)).toBe(false);
    expect(existsSync(caFile)).toBe(false);
  });

  it("serves hyperv-transcripts: a wrapper pwsh and credentials from files; a migration in one run is seen by the next", { timeout: 120_000 }, async () => {
    const { child, config, exited } = await serve("hyperv-transcripts");
    const text = readFileSync(config, "utf8");
    const executable = /executable: (\S+)/.exec(text)![1]!;
    expect(statSync(executable).mode & 0o777).toBe(0o700);
    expect(text).not.toContain("stand-in-Secret-7"); // the password is a file reference
    const list = async () => (await runCli(["vms", "--json", "--config", config])).stdout.trim().split("\n").map((l) => JSON.parse(l) as { id: string; name: string; hostId: string });
    const web = (await list()).find((v) => v.name === "web-01")!;
    expect(web.hostId).toBe("HV-A");
    const moved = await runCli(["migrate", web.id, "--to", "HV-B", "--json", "--config", config]);
    expect(moved.code, moved.stderr).toBe(EXIT.ok);
    expect((await list()).find((v) => v.id === web.id)?.hostId).toBe("HV-B");
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(existsSync(executable)).toBe(false);
  });

  it.skipIf(!existsSync(LAB_GUEST))("serves libvirt-local: the lab's daemons as a libvirt profile; a live migration in one run is seen by the next", { timeout: 900_000 }, async () => {
    const { child, config, exited } = await serve("libvirt-local");
    expect(readFileSync(config, "utf8")).toMatch(/uri: qemu\+unix:/);
    const list = async () => (await runCli(["vms", "--json", "--config", config])).stdout.trim().split("\n").map((l) => JSON.parse(l) as { id: string; name: string; hostId?: string; powerState: string });
    const guest = (await list()).find((v) => v.name === "vmshift-lab-1" && v.powerState === "running")!;
    expect(["a", "b"]).toContain(guest.hostId);
    const to = guest.hostId === "a" ? "b" : "a";
    const moved = await runCli(["migrate", guest.id, "--to", to, "--json", "--config", config]);
    expect(moved.code, moved.stderr).toBe(EXIT.ok);
    expect((await list()).find((v) => v.id === guest.id)?.hostId).toBe(to);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  });
});
