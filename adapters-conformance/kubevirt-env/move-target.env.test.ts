/**
 * Cold moves from the libvirt lab into the KubeVirt environment (@vmshift/move's KubeVirt target):
 * the lab domain's real qcow2 data disk is uploaded through the environment's CDI upload proxy into
 * a DataVolume, the stored raw file is compared with the source disk by `qemu-img compare`, the
 * VirtualMachine carries the mapped spec and its VMI runs, the source stays stopped; an upload the
 * proxy refuses rolls back (no DataVolume, PVC or VM left, the source running again).
 *
 * The lab guest boots its kernel directly, which KubeVirt cannot take from a host path, so the test
 * redefines the lab domain with BIOS boot first (QEMU still runs it; nothing in it shuts down
 * gracefully, so the mover powers it off after the shutdown timeout). Skipped when the lab cannot
 * run here; with CI=true a missing lab is a failure.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpKubeTransport, loadKubeConfig } from "@vmshift/kubevirt";
import { createMover, dataVolumeName, kubevirtMoveTarget, libvirtMoveSource } from "@vmshift/move";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labAvailability, labUri, run, virsh } from "../libvirt-lab/lab.ts";
import { holdMoveLab } from "../libvirt-lab/hold-move-lab.ts";
import { MOVE_DIR, MOVE_DISK, MOVE_VM, SRC_POOL, freshSource, must } from "../libvirt-lab/move-lab.ts";
import { runCli } from "../../test-support/run-cli.ts";
import { CdiEnvironment } from "./cdi.ts";
import { KubevirtEnv } from "./env.ts";

const DISK_BYTES = 32 * 1024 * 1024;
const NS = "default";
const STORAGE_CLASS = "local-path";
const TARGET = "moved-rollback";

const availability = await labAvailability();
const qemuImg = await run("qemu-img", ["--version"]);
if (process.env.CI === "true" && (!availability.ok || qemuImg.code !== 0)) throw new Error(`libvirt lab and qemu-img required in CI: ${availability.ok ? "qemu-img missing" : availability.reason}`);

/** The lab source with BIOS boot instead of direct kernel boot, defined and running on host a. */
async function biosSource(): Promise<void> {
  await freshSource(DISK_BYTES);
  const file = join(MOVE_DIR, `${MOVE_VM}.xml`);
  const xml = readFileSync(file, "utf8").replace(/<kernel>[^<]*<\/kernel>/, "").replace(/<initrd>[^<]*<\/initrd>/, "").replace(/<cmdline>[^<]*<\/cmdline>/, "");
  writeFileSync(file, xml);
  await must("a", ["destroy", "--domain", MOVE_VM]);
  await must("a", ["undefine", "--domain", MOVE_VM]);
  await must("a", ["define", "--file", file]);
  await must("a", ["start", "--domain", MOVE_VM]);
}

const state = async () => (await virsh("a", ["domstate", "--domain", MOVE_VM])).stdout.trim();

describe.skipIf(!availability.ok || qemuImg.code !== 0)("cold moves from the libvirt lab to KubeVirt (CDI upload)", { timeout: 120_000 }, () => {
  holdMoveLab("kubevirt-env/move-target.env.test.ts");
  let env: KubevirtEnv;
  let cdi: CdiEnvironment;
  let transport: HttpKubeTransport;
  beforeAll(async () => {
    env = await KubevirtEnv.start();
    cdi = await CdiEnvironment.start(env);
    transport = new HttpKubeTransport({ kubeConfig: loadKubeConfig({ kubeconfigYaml: env.kubeconfig() }) });
  });
  afterAll(async () => {
    transport?.close?.();
    await cdi?.close();
    await env?.close();
  });

  const endpoints = () => ({
    from: libvirtMoveSource({ uri: labUri("a"), hostId: "a", pollMs: 100 }),
    to: kubevirtMoveTarget({ api: transport, namespace: NS, uploadProxy: { url: cdi.uploadProxyUrl, ca: env.tls.cert }, pollMs: 20 }),
  });

  it("moves the domain cold: the uploaded disk is byte-identical, the VM carries the mapped spec and runs, the source stays stopped", async () => {
    await biosSource();
    const { from, to } = endpoints();
    const result = await createMover().moveVm({ from, to, vmId: MOVE_VM, storageMap: { [SRC_POOL]: STORAGE_CLASS }, shutdownTimeoutMs: 500 }).wait({ maxWaitMs: 90_000 });
    expect(result.error?.message).toBeUndefined();
    expect(result.outcome).toBe("completed");
    expect(await state()).toBe("shut off");

    const dv = dataVolumeName(MOVE_VM, "vdb");
    const stored = cdi.imagePath(NS, dv);
    const cmp = await run("qemu-img", ["compare", "-f", "qcow2", "-F", "raw", MOVE_DISK, stored]);
    expect(cmp.stdout + cmp.stderr).toContain("Images are identical");
    expect(cmp.code).toBe(0);
    const head = readFileSync(stored).subarray(0, 19).toString();
    expect(head).toBe("vmshift-move-marker");

    const dvObject = env.store.get("datavolumes" as never, NS, dv) as any;
    expect(dvObject.status.phase).toBe("Succeeded");
    expect(dvObject.spec).toMatchObject({ source: { upload: {} }, storage: { storageClassName: STORAGE_CLASS, resources: { requests: { storage: "32Mi" } } } });
    expect((env.store.get("persistentvolumeclaims", NS, dv) as any).status.phase).toBe("Bound");

    const vm = env.store.get("virtualmachines", NS, MOVE_VM) as any;
    expect(vm.spec.runStrategy).toBe("Always");
    const domain = vm.spec.template.spec.domain;
    expect(domain.cpu).toEqual({ cores: 1 });
    expect(domain.memory).toEqual({ guest: "64Mi" });
    expect(domain.firmware).toEqual({ bootloader: { bios: {} } });
    expect(domain.devices.disks).toEqual([{ name: "disk0", disk: { bus: "virtio" } }]);
    expect(vm.spec.template.spec.volumes).toEqual([{ name: "disk0", dataVolume: { name: dv } }]);
    expect((env.store.get("virtualmachineinstances", NS, MOVE_VM) as any)?.status?.phase).toBe("Running");
    expect(await to.powerState({ vmId: MOVE_VM, volumes: [] }, { signal: new AbortController().signal })).toBe("running");

    // A second move of the same VM is refused in preflight: the name is taken on the target.
    await must("a", ["start", "--domain", MOVE_VM]);
    const again = await createMover().moveVm({ from, to, vmId: MOVE_VM, storageMap: { [SRC_POOL]: STORAGE_CLASS }, shutdownTimeoutMs: 500 }).wait({ maxWaitMs: 30_000 });
    expect(again.outcome).toBe("failed");
    expect(again.error?.message).toContain(`a VirtualMachine named ${MOVE_VM} already exists in namespace ${NS}`);
    expect(await state()).toBe("running");
    await to.remove({ vmId: MOVE_VM, volumes: [{ diskKey: "vdb", storage: STORAGE_CLASS, location: `cdi-upload://${NS}/${dv}`, format: "raw", sizeBytes: DISK_BYTES }] }, { signal: new AbortController().signal });
    expect(env.store.get("virtualmachines", NS, MOVE_VM)).toBeUndefined();
  });

  it("rolls back when the upload proxy refuses the disk: no DataVolume, PVC or VM left, the source running again", async () => {
    await biosSource();
    const { from, to } = endpoints();
    cdi.faults.rejectUploads = 1;
    const result = await createMover().moveVm({ from, to, vmId: MOVE_VM, targetName: TARGET, storageMap: { [SRC_POOL]: STORAGE_CLASS }, shutdownTimeoutMs: 500 }).wait({ maxWaitMs: 90_000 });
    expect(result.outcome).toBe("failed");
    expect(result.error?.message).toContain("the upload proxy refused disk vdb: 500 Saving stream failed: injected fault");
    expect(cdi.faults.rejectUploads).toBe(0);
    const dv = dataVolumeName(TARGET, "vdb");
    expect(env.store.get("datavolumes" as never, NS, dv)).toBeUndefined();
    expect(env.store.get("persistentvolumeclaims", NS, dv)).toBeUndefined();
    expect(env.store.get("virtualmachines", NS, TARGET)).toBeUndefined();
    // The DataVolume did exist before the rollback: the proxy answered its upload.
    expect(cdi.uploads).toContain("500 /v1beta1/upload");
    expect(result.vmLocation).toMatchObject({ side: "source", powerState: "running" });
    expect(await state()).toBe("running");
  });

  it("vmshift move --to <a kubevirt profile>: the CLI uploads through CDI's proxy named in the profile and the VM runs in the cluster", async () => {
    await biosSource();
    const dir = mkdtempSync(join(tmpdir(), "vmshift-move-kube-"));
    try {
      const kubeconfig = join(dir, "kubeconfig");
      writeFileSync(kubeconfig, env.kubeconfig(), { mode: 0o600 });
      const ca = join(dir, "cdi-ca.pem");
      writeFileSync(ca, env.tls.cert);
      const config = join(dir, "config.yaml");
      writeFileSync(config, [
        "profiles:",
        "  lab-a:",
        "    platform: libvirt",
        `    hosts: [{ id: a, uri: '${labUri("a")}' }]`,
        "  cluster:",
        "    platform: kubevirt",
        `    kubeconfig: ${kubeconfig}`,
        `    namespace: ${NS}`,
        `    uploadProxyUrl: ${cdi.uploadProxyUrl}`,
        `    uploadProxyCa: { file: ${ca} }`,
        "",
      ].join("\n"));
      const r = await runCli(["move", MOVE_VM, "--from", "lab-a", "--to", "cluster", "--target-name", "moved-cli", "--storage-map", `${SRC_POOL}=${STORAGE_CLASS}`, "--shutdown-timeout", "500", "--json", "--config", config]);
      expect(r.code, r.stderr).toBe(0);
      const last = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { outcome: string; vmLocation: { side: string } };
      expect(last).toMatchObject({ outcome: "completed", vmLocation: { side: "target" } });
      const stored = cdi.imagePath(NS, dataVolumeName("moved-cli", "vdb"));
      expect((await run("qemu-img", ["compare", "-f", "qcow2", "-F", "raw", MOVE_DISK, stored])).code).toBe(0);
      expect((env.store.get("virtualmachineinstances", NS, "moved-cli") as any)?.status?.phase).toBe("Running");
      expect(await state()).toBe("shut off");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
