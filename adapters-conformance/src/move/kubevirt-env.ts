/**
 * `kubevirt-env` as a move target: the local KubeVirt API environment with CDI's upload proxy
 * (real HTTPS, real files) for cold moves, and for warm moves blank DataVolumes served by a
 * transfer pod its kubelet runs as real local `qemu-nbd` processes on a loopback address per pod
 * (the pod's image is any string here; kubelet.ts). A fresh environment per session; what exists
 * is read from its store (VirtualMachine, VMI, DataVolumes, PVCs, pods) and the disks from CDI's
 * image files, not through the mover's KubeVirt target.
 */
import { createHash } from "node:crypto";
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpKubeTransport, loadKubeConfig } from "@vmshift/kubevirt";
import { POD_NETWORK, dataVolumeName, kubevirtMoveTarget } from "@vmshift/move";
import { CdiEnvironment } from "../../kubevirt-env/cdi.ts";
import { KubevirtEnv } from "../../kubevirt-env/env.ts";
import { Kubelet } from "../../kubevirt-env/kubelet.ts";
import type { Availability, MoveTargetSide, SidePowerState, TargetSession } from "./side.ts";

const NS = "default";
const STORAGE_CLASS = "local-path";
/** The transfer pod's image: any reference; kubevirt-env's kubelet runs the command's qemu-nbd locally. */
const TRANSFER_IMAGE = "kubevirt-env.local/qemu-nbd:debian";

async function sha256(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

/** kubevirt-env with CDI as a move target. */
export const kubevirtEnvTarget: MoveTargetSide = {
  name: "kubevirt-env",
  description: "the local KubeVirt API environment with CDI (cold: DataVolumes filled by upload; warm: blank DataVolumes written over NBD through a transfer pod), then a VirtualMachine",
  available: async (): Promise<Availability> => ({ ok: true }),
  async open(): Promise<TargetSession> {
    const env = await KubevirtEnv.start();
    const cdi = await CdiEnvironment.start(env);
    const kubelet = Kubelet.start(env, cdi);
    const api = new HttpKubeTransport({ kubeConfig: loadKubeConfig({ kubeconfigYaml: env.kubeconfig() }) });
    // What a `vmshift` process needs to reach this environment (the attach scenario's child): a kubeconfig and CDI's CA, as files.
    const dir = mkdtempSync(join(tmpdir(), "vmshift-move-kubevirt-env-"));
    writeFileSync(join(dir, "kubeconfig"), env.kubeconfig(), { mode: 0o600 });
    writeFileSync(join(dir, "cdi-ca.pem"), env.tls.cert);
    const objects = (name: string) => {
      const found: string[] = [];
      if (env.store.get("virtualmachines", NS, name)) found.push(`VirtualMachine ${NS}/${name}`);
      if (env.store.get("virtualmachineinstances", NS, name)) found.push(`VirtualMachineInstance ${NS}/${name}`);
      for (const r of ["datavolumes", "persistentvolumeclaims", "pods"] as const) {
        for (const o of env.store.all(r as never, NS)) if (o.metadata.name.startsWith(`${name}-`)) found.push(`${r} ${NS}/${o.metadata.name}`);
      }
      return found;
    };
    return {
      target: () => kubevirtMoveTarget({ api, namespace: NS, uploadProxy: { url: cdi.uploadProxyUrl, ca: env.tls.cert }, transfer: { image: TRANSFER_IMAGE }, pollMs: 20 }),
      storageMap: (storages) => Object.fromEntries(storages.map((s) => [s, STORAGE_CLASS])),
      networkMap: (networks) => Object.fromEntries(networks.map((n, i) => [n, i === 0 ? POD_NETWORK : `net-${i}`])),
      leftovers: async (name) => objects(name),
      async diskHashes(name, keys) {
        const out: Record<string, string> = {};
        for (const k of keys) {
          const dv = dataVolumeName(name, k);
          if (env.store.get("datavolumes" as never, NS, dv)) out[k] = await sha256(cdi.imagePath(NS, dv));
        }
        return out;
      },
      async powerState(name): Promise<SidePowerState> {
        const vm = env.store.get("virtualmachines", NS, name) as { spec?: { runStrategy?: string } } | undefined;
        if (!vm) return "missing";
        const phase = (env.store.get("virtualmachineinstances", NS, name) as { status?: { phase?: string } } | undefined)?.status?.phase;
        return phase === "Running" ? "running" : phase === undefined || phase === "Succeeded" || phase === "Failed" ? "stopped" : "other";
      },
      cliProfile: () => ({ platform: "kubevirt", kubeconfig: join(dir, "kubeconfig"), namespace: NS, uploadProxyUrl: cdi.uploadProxyUrl, uploadProxyCa: { file: join(dir, "cdi-ca.pem") }, transferImage: TRANSFER_IMAGE }),
      failStartUnsupported: "kubevirt-env has no fault that refuses a VirtualMachine's start",
      async close() {
        api.close?.();
        await kubelet.close();
        await cdi.close();
        await env.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
