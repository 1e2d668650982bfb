/**
 * The conversion pod of a move into KubeVirt: at cutover, after the last disk bytes are in the
 * claims and before the VM starts, one pod per move mounts every DataVolume's claim and runs
 * `virt-v2v-in-place -i libvirtxml --machine-readable <xml>` in a user-configured image that has
 * virt-v2v (Debian's virt-v2v package). The libvirt XML naming every disk at its path inside the
 * pod reaches it as a ConfigMap mounted read-only at {@link XML_DIR}. Claims are laid out as the
 * transfer pod mounts them (transfer-pod.ts): a Filesystem claim at `/mnt/<claim>`, holding
 * `disk.img`; a Block claim as the device `/dev/vmshift/<claim>`.
 *
 * The same shape Forklift uses for its conversion (kubev2v/forklift, pkg/virt-v2v: a virt-v2v pod
 * with the target PVCs mounted under `/mnt/disks/…` and the domain XML from a ConfigMap for
 * in-place conversion); Forklift reports progress through a monitor's Prometheus metrics, this
 * one through the pod's log (`--machine-readable` lines, convert-progress.ts). Pure.
 */
import { conversionArgv, conversionDomainXml } from "../convert-virt-v2v.ts";
import type { ConversionInput } from "../convert.ts";
import { dataVolumeName } from "./manifests.ts";
import { type TransferClaim, imagePathInPod } from "./transfer-pod.ts";

/** Where the ConfigMap with the libvirt XML is mounted in the pod. */
export const XML_DIR = "/etc/vmshift-convert";
/** The XML's key in the ConfigMap (and file name under {@link XML_DIR}). */
export const XML_KEY = "domain.xml";
/** The label naming the VM a conversion pod converts. */
export const CONVERSION_LABEL = "vmshift.io/conversion-for";
/** The container's name (what `kubectl logs -c` names). */
export const CONVERSION_CONTAINER = "virt-v2v";

/** The conversion pod's name for VM `vmName` (and its ConfigMap's): `<vm>-vmshift-convert`, at most 63 characters. */
export function conversionPodName(vmName: string): string {
  return dataVolumeName(vmName, "vmshift-convert");
}

function labelValue(vmName: string): string {
  return vmName.slice(0, 63).replace(/[^A-Za-z0-9_.-]/g, "_").replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "") || "vm";
}

/**
 * The libvirt XML virt-v2v-in-place reads in the pod: the guest as {@link conversionDomainXml}
 * writes it, every volume at its path inside the pod (raw, as CDI stores it). `claims[i]` holds
 * `input.volumes[i]`.
 */
export function conversionPodXml(input: ConversionInput, claims: readonly TransferClaim[]): string {
  const volumes = input.volumes.map((v, i) => ({ diskKey: v.diskKey, storage: v.storage, sizeBytes: v.sizeBytes, location: imagePathInPod(claims[i]!), format: "raw" as const }));
  return conversionDomainXml({ ...input, volumes });
}

/** The ConfigMap holding the XML. */
export function conversionConfigMapBody(namespace: string, vmName: string, xml: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: conversionPodName(vmName), namespace, labels: { [CONVERSION_LABEL]: labelValue(vmName) } },
    data: { [XML_KEY]: xml },
  };
}

/**
 * The pod: `restartPolicy: Never`, one container running virt-v2v-in-place on the XML with every
 * claim mounted (or its device attached); `LIBGUESTFS_BACKEND=direct` (libguestfs runs QEMU
 * itself, as on the libvirt path); `terminationMessagePolicy: FallbackToLogsOnError`, so a failed
 * conversion's last log lines are the container's termination message.
 */
export function conversionPodBody(namespace: string, vmName: string, image: string, claims: readonly TransferClaim[]): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: conversionPodName(vmName), namespace, labels: { [CONVERSION_LABEL]: labelValue(vmName) } },
    spec: {
      restartPolicy: "Never",
      terminationGracePeriodSeconds: 5,
      containers: [
        {
          name: CONVERSION_CONTAINER,
          image,
          command: ["virt-v2v-in-place", ...conversionArgv(`${XML_DIR}/${XML_KEY}`)],
          env: [{ name: "LIBGUESTFS_BACKEND", value: "direct" }],
          terminationMessagePolicy: "FallbackToLogsOnError",
          volumeMounts: [
            { name: "domain-xml", mountPath: XML_DIR, readOnly: true },
            ...claims.flatMap((c, i) => (c.volumeMode === "Block" ? [] : [{ name: `disk-${i}`, mountPath: `/mnt/${c.claim}` }])),
          ],
          ...(claims.some((c) => c.volumeMode === "Block") ? { volumeDevices: claims.flatMap((c, i) => (c.volumeMode === "Block" ? [{ name: `disk-${i}`, devicePath: imagePathInPod(c) }] : [])) } : {}),
        },
      ],
      volumes: [{ name: "domain-xml", configMap: { name: conversionPodName(vmName) } }, ...claims.map((c, i) => ({ name: `disk-${i}`, persistentVolumeClaim: { claimName: c.claim } }))],
    },
  };
}
