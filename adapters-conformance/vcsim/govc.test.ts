/**
 * The launcher as govc sees it (govc built from Debian's govmomi 0.24.2 by build-govc.sh):
 * Storage vMotion moves the VM's files and keeps the inventory consistent (`govc datastore.ls`,
 * `vm.info`, the datastores' `vm` lists), and `govc vm.migrate -pool` alone lets the DRS-enabled
 * cluster choose the host, as vSphere does. Needs .cache/vcsim/vmshift-vcsim and .cache/vcsim/govc;
 * under CI=true a missing launcher is a failure, a missing govc a skip that says so
 * (.ci/setup.d/30-vsphere.sh builds the launcher only; govc's source is not in the -dev package).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Vcsim, startVcsim, vcsimMissing } from "../targets/vsphere-launcher.ts";

const GOVC = fileURLToPath(new URL("../../.cache/vcsim/govc", import.meta.url));
const missing = vcsimMissing();
if (missing && process.env["CI"] === "true") throw new Error(missing);
const noGovc = existsSync(GOVC) ? undefined : `govc not built at ${GOVC} (adapters-conformance/vcsim/build-govc.sh)`;
if (noGovc) console.warn(`skipping the govc tests: ${noGovc}`);

const run = promisify(execFile);

describe.skipIf(missing !== undefined || noGovc !== undefined)("vmshift-vcsim through govc", () => {
  let sim: Vcsim;
  let dir: string;
  const govc = async (...args: string[]) => {
    const { stdout } = await run(GOVC, args, {
      env: { PATH: process.env["PATH"] ?? "", HOME: dir, GOVC_URL: sim.url, GOVC_USERNAME: "govc", GOVC_PASSWORD: "govc-pw", GOVC_TLS_CA_CERTS: join(dir, "ca.pem"), GOVC_PERSIST_SESSION: "false" },
    });
    return stdout;
  };
  const json = async <T>(...args: string[]) => JSON.parse(await govc(...args)) as T;
  interface VmInfo {
    VirtualMachines: { Datastore: { Value: string }[]; Config: { Files: { VmPathName: string } }; Summary: { Config: { VmPathName: string } }; Runtime: { Host: { Value: string } }; ResourcePool: { Value: string } }[];
  }

  beforeAll(async () => {
    sim = await startVcsim(["-cluster", "2", "-ds", "2", "-vm", "2", "-migrate-duration", "300ms", "-migrate-steps", "2"]);
    dir = mkdtempSync(join(tmpdir(), "vmshift-govc-"));
    writeFileSync(join(dir, "ca.pem"), sim.caPem);
  });
  afterAll(async () => {
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("vm.migrate -ds moves the VM's files: datastore.ls, vm.info and both datastores' vm lists agree", async () => {
    const vm = "DC0_C0_RP0_VM0";
    const before = (await json<VmInfo>("vm.info", "-json", vm)).VirtualMachines[0]!;
    const from = /^\[([^\]]+)\]/.exec(before.Config.Files.VmPathName)![1]!;
    const to = from === "LocalDS_0" ? "LocalDS_1" : "LocalDS_0";
    expect(await govc("datastore.ls", "-ds", from)).toContain(vm);
    await govc("vm.migrate", "-ds", to, vm);
    const after = (await json<VmInfo>("vm.info", "-json", vm)).VirtualMachines[0]!;
    expect(after.Config.Files.VmPathName).toBe(`[${to}] ${vm}/${vm}.vmx`);
    expect(after.Summary.Config.VmPathName).toBe(after.Config.Files.VmPathName);
    expect(await govc("datastore.ls", "-ds", to)).toContain(vm);
    expect(await govc("datastore.ls", "-ds", from)).not.toContain(vm);
    expect((await govc("datastore.ls", "-ds", to, vm)).split("\n")).toEqual(expect.arrayContaining([`${vm}.vmx`]));
    const vmRef = (await govc("ls", "-i", `/DC0/vm/${vm}`)).trim().split(":")[1]!;
    const lists = await json<{ Datastores: { Name: string; Vm: { Value: string }[] }[] }>("datastore.info", "-json", from, to);
    const listed = (name: string) => lists.Datastores.find((d) => d.Name === name)!.Vm?.map((r) => r.Value) ?? [];
    expect(listed(to)).toContain(vmRef);
    expect(listed(from)).not.toContain(vmRef);
  });

  it("vm.migrate -pool alone: DRS of the pool's cluster chooses the host", async () => {
    const vm = "DC0_C0_RP0_VM1";
    await govc("vm.migrate", "-pool", "/DC0/host/DC0_C1/Resources", vm);
    const after = (await json<VmInfo>("vm.info", "-json", vm)).VirtualMachines[0]!;
    const c1Hosts = (await govc("ls", "-i", "/DC0/host/DC0_C1")).split("\n").filter((l) => l.startsWith("HostSystem:")).map((l) => l.split(":")[1]);
    expect(c1Hosts).toContain(after.Runtime.Host.Value);
    const c1Pool = (await govc("ls", "-i", "/DC0/host/DC0_C1/Resources")).trim().split(":")[1];
    expect(after.ResourcePool.Value).toBe(c1Pool);
  });
});
