/**
 * A cold move into the KubeVirt environment that needs no libvirt lab: a test-only MoveSource over a
 * real qcow2 file (made by qemu-img here) with UEFI secure boot and two NICs (pod network and a
 * Multus network). The VirtualMachine the target builds passes the environment's validation against
 * KubeVirt's OpenAPI schema, the stored disk is byte-identical (`qemu-img compare`), progress reaches
 * the disk size, and the VMI runs.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { HttpKubeTransport } from "@vmshift/kubevirt";
import { type MoveSource, type VmDefinition, createMover, dataVolumeName, kubevirtMoveTarget } from "@vmshift/move";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CdiEnvironment } from "./cdi.ts";
import type { KubevirtEnv } from "./env.ts";
import { type MoveCluster, startMoveCluster } from "./move-cluster.ts";
import { qemuImgMissing } from "../../test-support/disk-hash.ts";

const hasQemuImg = qemuImgMissing() === undefined;
const SIZE = 8 * 1024 * 1024;

/** A stopped VM whose one disk is a local qcow2 file: the least a MoveSource must do. */
function fileSource(definition: VmDefinition, file: string): MoveSource & { readonly calls: string[] } {
  const calls: string[] = [];
  return {
    platform: "file",
    calls,
    async readDefinition() {
      return definition;
    },
    async openDisk() {
      calls.push("open");
      return { location: file, format: "qcow2", close: async () => void calls.push("close") };
    },
    async stop() {
      calls.push("stop");
    },
    async start() {
      calls.push("start");
    },
    async powerState() {
      return "stopped";
    },
  };
}

describe.skipIf(!hasQemuImg)("cold move of a qcow2 file source into kubevirt-env", { timeout: 60_000 }, () => {
  let cluster: MoveCluster;
  let env: KubevirtEnv;
  let cdi: CdiEnvironment;
  let transport: HttpKubeTransport;
  let dir: string;
  beforeAll(async () => {
    cluster = await startMoveCluster({ dirPrefix: "move-file-source-" });
    ({ env, cdi, dir } = cluster);
    transport = cluster.api;
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("moves it with UEFI, MACs, pod and Multus networks; bytes identical; the VM validates and runs", async () => {
    const raw = join(dir, "disk.raw");
    writeFileSync(raw, Buffer.concat([randomBytes(SIZE / 2), Buffer.alloc(SIZE / 2)]));
    const qcow = join(dir, "disk.qcow2");
    expect(spawnSync("qemu-img", ["convert", "-f", "raw", "-O", "qcow2", raw, qcow]).status).toBe(0);
    const definition: VmDefinition = {
      id: "file-vm", name: "file-vm", cpus: 2, memoryBytes: 128 * 1024 * 1024, firmware: { kind: "uefi", secureBoot: true }, snapshotCount: 0, powerState: "stopped",
      disks: [{ key: "vda", sizeBytes: SIZE, format: "qcow2", bus: "virtio", storage: "files", device: "disk", bootOrder: 1 }],
      nics: [{ key: "0", network: "lan", mac: "52:54:00:12:34:56", model: "virtio" }, { key: "1", network: "storage", mac: "52:54:00:12:34:57", model: "e1000e" }],
    };
    const from = fileSource(definition, qcow);
    const to = kubevirtMoveTarget({ api: transport, namespace: "prod", uploadProxy: { url: cdi.uploadProxyUrl, ca: env.tls.cert }, pollMs: 20 });
    const task = createMover().moveVm({ from, to, vmId: "file-vm", targetName: "moved-file-vm", storageMap: { files: "fast-ssd" }, networkMap: { lan: "pod", storage: "storage-net" } });
    let maxBytes = 0;
    const progress = setInterval(() => (maxBytes = Math.max(maxBytes, task.snapshot().progress.transferredBytes ?? 0)), 5);
    const result = await task.wait({ maxWaitMs: 30_000 });
    clearInterval(progress);
    expect(result.error?.message).toBeUndefined();
    expect(result.outcome).toBe("completed");
    expect(from.calls).toEqual(["open", "close"]);
    expect(maxBytes).toBe(SIZE);

    const stored = cdi.imagePath("prod", dataVolumeName("moved-file-vm", "vda"));
    const cmp = spawnSync("qemu-img", ["compare", "-f", "qcow2", "-F", "raw", qcow, stored], { encoding: "utf8" });
    expect(cmp.stdout).toContain("Images are identical");
    // Created with strict field validation: an unknown field in the manifest would have failed the move.
    expect(env.requests).toContain("POST /apis/kubevirt.io/v1/namespaces/prod/virtualmachines?fieldValidation=Strict");
    const vm = env.store.get("virtualmachines", "prod", "moved-file-vm") as any;
    const spec = vm.spec.template.spec;
    expect(spec.domain.firmware).toEqual({ bootloader: { efi: { secureBoot: true } } });
    expect(spec.domain.devices.interfaces).toEqual([
      { name: "nic0", model: "virtio", macAddress: "52:54:00:12:34:56", masquerade: {} },
      { name: "nic1", model: "e1000e", macAddress: "52:54:00:12:34:57", bridge: {} },
    ]);
    expect(spec.networks).toEqual([{ name: "nic0", pod: {} }, { name: "nic1", multus: { networkName: "storage-net" } }]);
    expect((env.store.get("virtualmachineinstances", "prod", "moved-file-vm") as any)?.status?.phase).toBe("Running");
  });
});
