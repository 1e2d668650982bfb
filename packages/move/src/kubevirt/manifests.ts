/**
 * The KubeVirt objects a move creates, built from the mapped definition: a CDI DataVolume per
 * disk (upload source for cold moves, blank for warm ones, the disk's size, the mapped storage class) and a VirtualMachine that is
 * `Halted` until the move starts it. Pure.
 */
import type { MappedDefinition, MappedDisk } from "../mapping.ts";

const MI = 1024 * 1024;
/** NIC models KubeVirt's `interfaces[].model` accepts; others become `virtio`. */
const NIC_MODELS = new Set(["virtio", "e1000", "e1000e", "igb", "rtl8139", "pcnet", "ne2k_pci"]);
/** Network map value meaning the pod network (masquerade); any other value names a Multus network. */
export const POD_NETWORK = "pod";

/** A Kubernetes object name (DNS-1123 subdomain: lower-case alphanumerics, `-` and `.`, at most 253 characters). */
const OBJECT_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A namespace name (DNS-1123 label: lower-case alphanumerics and `-`, at most 63 characters). */
const NAMESPACE_NAME = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Whether `name` is a valid Kubernetes object name (what the API server accepts for a VirtualMachine). */
export function isObjectName(name: string): boolean {
  return OBJECT_NAME.test(name);
}

/** Whether `name` is a valid namespace name. */
export function isNamespaceName(name: string): boolean {
  return NAMESPACE_NAME.test(name);
}

/** DNS-1123 label from a VM name and disk key: `<vm>-<disk>`, lower case, at most 63 characters. */
export function dataVolumeName(vmName: string, diskKey: string): string {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  return `${clean(vmName)}-${clean(diskKey)}`.slice(0, 63).replace(/-+$/, "");
}

/**
 * A DataVolume sized for `disk` (whole MiB, rounded up), in its mapped storage class: with
 * `source.upload` (cold moves, filled through the upload proxy) or `source.blank` (warm moves: CDI
 * creates an empty raw image the transfer pod serves over NBD).
 */
export function dataVolumeBody(namespace: string, name: string, disk: MappedDisk, source: "upload" | "blank" = "upload"): Record<string, unknown> {
  return {
    apiVersion: "cdi.kubevirt.io/v1beta1",
    kind: "DataVolume",
    metadata: {
      name,
      namespace,
      labels: { "vmshift.io/moved-disk": disk.key.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 63) },
      // An upload on WaitForFirstConsumer storage would wait for a pod that never comes: bind at once, as `virtctl image-upload --force-bind` does.
      ...(source === "upload" ? { annotations: { "cdi.kubevirt.io/storage.bind.immediate.requested": "true" } } : {}),
    },
    spec: {
      source: { [source]: {} },
      storage: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${Math.ceil(disk.sizeBytes / MI)}Mi` } }, storageClassName: disk.targetStorage },
    },
  };
}

/** The VirtualMachine (runStrategy `Halted`): CPU, memory, firmware, disks by bus and boot order, NICs with their MACs. */
export function virtualMachineBody(namespace: string, d: MappedDefinition): Record<string, unknown> {
  const disks = d.disks.map((disk, i) => ({ name: `disk${i}`, disk: { bus: disk.bus }, ...(disk.bootOrder ? { bootOrder: disk.bootOrder } : {}) }));
  const volumes = d.disks.map((disk, i) => ({ name: `disk${i}`, dataVolume: { name: dataVolumeName(d.targetName, disk.key) } }));
  const interfaces = d.nics.map((n, i) => ({
    name: `nic${i}`,
    model: n.model && NIC_MODELS.has(n.model) ? n.model : "virtio",
    ...(n.mac ? { macAddress: n.mac } : {}),
    ...(n.targetNetwork === POD_NETWORK ? { masquerade: {} } : { bridge: {} }),
  }));
  const networks = d.nics.map((n, i) => (n.targetNetwork === POD_NETWORK ? { name: `nic${i}`, pod: {} } : { name: `nic${i}`, multus: { networkName: n.targetNetwork } }));
  const firmware = d.firmware.kind === "uefi" ? { bootloader: { efi: { secureBoot: d.firmware.secureBoot ?? false } } } : { bootloader: { bios: {} } };
  const memory = `${Math.ceil(d.memoryBytes / MI)}Mi`;
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name: d.targetName, namespace, labels: { "vmshift.io/moved-from": d.id.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 63) } },
    spec: {
      runStrategy: "Halted",
      template: {
        metadata: { labels: { "kubevirt.io/vm": d.targetName } },
        spec: {
          domain: { cpu: { cores: d.cpus }, memory: { guest: memory }, resources: { requests: { memory } }, firmware, devices: { disks, interfaces } },
          networks,
          volumes,
        },
      },
    },
  };
}
