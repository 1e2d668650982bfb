/**
 * The conversion pod's lane (v2v-pod-lane.sh): a real guest converted by real virt-v2v-in-place in
 * a conversion pod of kubevirt-env. The guest disk (the virt-v2v lane's small Debian 12 guest) is a
 * vSphere-like VM's SCSI disk (a test-only MoveSource over the file); the mover takes it cold into
 * kubevirt-env (CDI upload) with `convert: always` and the target's `conversion.image`; at cutover
 * the conversion pod runs and kubevirt-env's kubelet runs its `virt-v2v-in-place` as the real
 * program on the claim's file. Prints timings, the progress messages, the VM's disk bus and the
 * converted guest's /etc/fstab (read with debugfs by the .sh). Exit 0 when the move completed.
 *
 *   node --import tools/workspace-sources.mjs v2v-pod-lane.ts <guest.qcow2> <work dir>
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { HttpKubeTransport, loadKubeConfig } from "@vmshift/kubevirt";
import { type MoveSource, type VmDefinition, createMover, dataVolumeName, kubevirtMoveTarget } from "@vmshift/move";
import { CdiEnvironment } from "./cdi.ts";
import { KubevirtEnv } from "./env.ts";
import { Kubelet } from "./kubelet.ts";

const [guest, work] = process.argv.slice(2);
if (!guest || !work) {
  process.stderr.write("usage: v2v-pod-lane.ts <guest.qcow2> <work dir>\n");
  process.exit(2);
}
const NS = "default";
const VM = "v2v-pod-guest";
const size = Number(process.env["GUEST_SIZE_BYTES"]);
const t0 = Date.now();
const secs = (ms: number) => (ms / 1000).toFixed(1);

const definition: VmDefinition = {
  id: "vm-200", name: VM, cpus: 1, memoryBytes: 1024 * 1024 * 1024, firmware: { kind: "bios" }, snapshotCount: 0, powerState: "stopped", guestOs: "debian12_64Guest",
  disks: [{ key: "scsi0:0", sizeBytes: size, format: "qcow2", bus: "scsi", storage: "datastore1", device: "disk", bootOrder: 1 }],
  nics: [{ key: "4000", network: "VM Network", mac: "00:50:56:00:02:00", model: "vmxnet3" }],
};
const source: MoveSource = {
  platform: "vsphere",
  readDefinition: async () => definition,
  openDisk: async () => ({ location: guest, format: "qcow2", close: async () => undefined }),
  stop: async () => undefined,
  start: async () => undefined,
  powerState: async () => "stopped",
};

const env = await KubevirtEnv.start();
const cdi = await CdiEnvironment.start(env);
const kubelet = Kubelet.start(env, cdi);
const api = new HttpKubeTransport({ kubeConfig: loadKubeConfig({ kubeconfigYaml: env.kubeconfig() }) });
let code = 1;
try {
  const to = kubevirtMoveTarget({ api, namespace: NS, uploadProxy: { url: cdi.uploadProxyUrl, ca: env.tls.cert }, conversion: { image: "lane.example/debian-virt-v2v:bookworm-backports" } });
  const task = createMover().moveVm({ from: source, to, vmId: "vm-200", storageMap: { datastore1: "local-path" }, networkMap: { "VM Network": "pod" }, convert: { mode: "always" } });
  let convertStart: number | undefined;
  let convertEnd: number | undefined;
  let last = "";
  for await (const s of task.events()) {
    const m = s.progress.message ?? "";
    if (m === last) continue;
    last = m;
    if (m.startsWith(`converting ${VM}`) && convertStart === undefined) convertStart = Date.now();
    if (m.includes("converted by")) convertEnd = Date.now();
    if (m && !/: \d+%$/.test(m)) console.log(`v2v-pod-lane: ${secs(Date.now() - t0)} s ${s.phase}: ${m}`);
  }
  const result = await task.wait();
  const vm = env.store.get("virtualmachines", NS, VM) as { spec?: { template?: { spec?: { domain?: { devices?: { disks?: { disk?: { bus?: string } }[] } } } } } } | undefined;
  const buses = (vm?.spec?.template?.spec?.domain?.devices?.disks ?? []).map((d) => d.disk?.bus).join(",");
  console.log(`v2v-pod-lane: outcome ${result.outcome}${result.error ? ` (${result.error.message})` : ""}`);
  console.log(`v2v-pod-lane: timing move ${secs(Date.now() - t0)} s, conversion pod ${convertStart && convertEnd ? secs(convertEnd - convertStart) : "?"} s; VM disk bus ${buses || "(no VM)"}`);
  writeFileSync(join(work, "claim-path"), cdi.imagePath(NS, dataVolumeName(VM, "scsi0:0")));
  code = result.outcome === "completed" ? 0 : 1;
  // Keep the claim's file for the .sh to read: it lives in CDI's directory, copied out before close.
  if (code === 0) {
    const { copyFileSync } = await import("node:fs");
    copyFileSync(cdi.imagePath(NS, dataVolumeName(VM, "scsi0:0")), join(work, "converted.img"));
  }
} finally {
  api.close?.();
  await kubelet.close();
  await cdi.close();
  await env.close();
}
process.exit(code);
