/**
 * The transfer pod of a warm move into KubeVirt: one pod per move that mounts every blank
 * DataVolume's claim and serves each over NBD with `qemu-nbd`, one container (and port) per disk,
 * so the mover's `qemu-img` writes the full pass and every delta at their offsets
 * (`nbd://<podIP>:<port>/<export>`). A Filesystem-mode claim holds the image as `disk.img` in its
 * root (KubeVirt `docs/filesystem-pv-disks.md`; CDI `doc/blank-raw-image.md` creates it for a
 * `source.blank` DataVolume); a Block-mode claim is the device itself (`volumeDevices`). Also the
 * first-consumer pod for WaitForFirstConsumer storage and the NetworkPolicy guarding the NBD ports. Pure.
 */
import { dataVolumeName } from "./manifests.ts";

/** The NBD port of the first disk; disk `i` is served on `port + i`. (IANA's port for NBD.) */
export const NBD_PORT = 10809;

/** The label naming the VM a transfer pod serves. */
export const TRANSFER_LABEL = "vmshift.io/transfer-for";

/** One claim the pod serves. */
export interface TransferClaim {
  /** The DataVolume (and claim) name; also the NBD export name. */
  readonly claim: string;
  /** The claim's `spec.volumeMode`. */
  readonly volumeMode: "Filesystem" | "Block";
}

/** The transfer pod's name for VM `vmName`: `<vm>-vmshift-transfer` (at most 63 characters). */
export function transferPodName(vmName: string): string {
  return dataVolumeName(vmName, "vmshift-transfer");
}

/** Where the image of `c` is inside its container. */
export function imagePathInPod(c: TransferClaim): string {
  return c.volumeMode === "Block" ? `/dev/vmshift/${c.claim}` : `/mnt/${c.claim}/disk.img`;
}

/**
 * The pod: `restartPolicy: Never`, per claim a container running
 * `qemu-nbd --persistent --shared=8 --format=raw --export-name=<claim> --bind=0.0.0.0 --port=<p> <image>`
 * with the claim mounted (or its device attached).
 */
export function transferPodBody(namespace: string, vmName: string, image: string, claims: readonly TransferClaim[], port = NBD_PORT): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: transferPodName(vmName), namespace, labels: { [TRANSFER_LABEL]: transferLabelValue(vmName) } },
    spec: {
      restartPolicy: "Never",
      terminationGracePeriodSeconds: 5,
      // As CDI's importer runs (UID 107, the owner of the disk.img it writes; kubevirt/containerized-data-importer#2638, #2523), within the restricted Pod Security profile.
      securityContext: { runAsUser: 107, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      containers: claims.map((c, i) => ({
        name: `nbd-${i}`,
        image,
        command: ["qemu-nbd", "--persistent", "--shared=8", "--format=raw", `--export-name=${c.claim}`, "--bind=0.0.0.0", `--port=${port + i}`, imagePathInPod(c)],
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        ports: [{ name: `nbd-${i}`, containerPort: port + i, protocol: "TCP" }],
        // Ready once qemu-nbd accepts connections: the mover waits for the pod's Ready condition.
        readinessProbe: { tcpSocket: { port: port + i }, periodSeconds: 1 },
        ...(c.volumeMode === "Block" ? { volumeDevices: [{ name: `disk-${i}`, devicePath: imagePathInPod(c) }] } : { volumeMounts: [{ name: `disk-${i}`, mountPath: `/mnt/${c.claim}` }] }),
      })),
      volumes: claims.map((c, i) => ({ name: `disk-${i}`, persistentVolumeClaim: { claimName: c.claim } })),
    },
  };
}

/** The first-consumer pod's name for VM `vmName`: `<vm>-vmshift-bind` (at most 63 characters). */
export function consumerPodName(vmName: string): string {
  return dataVolumeName(vmName, "vmshift-bind");
}

/**
 * The first consumer of claims whose StorageClass binds `WaitForFirstConsumer`: CDI leaves such a
 * DataVolume in phase `WaitForFirstConsumer` (or `PendingPopulation` with volume populators) and
 * starts no worker until a pod using the claim is scheduled (CDI
 * `doc/waitforfirstconsumer-storage-handling.md`: the workload binds it "by creating and exiting a
 * dummy pod", as KubeVirt does). This pod mounts every such claim and runs `qemu-nbd --version`
 * (the transfer image has it), so scheduling it binds the claims and it ends at once.
 */
export function consumerPodBody(namespace: string, vmName: string, image: string, claims: readonly TransferClaim[]): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: consumerPodName(vmName), namespace, labels: { [TRANSFER_LABEL]: transferLabelValue(vmName) } },
    spec: {
      restartPolicy: "Never",
      terminationGracePeriodSeconds: 0,
      securityContext: { runAsUser: 107, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: "bind",
          image,
          command: ["qemu-nbd", "--version"],
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
          volumeMounts: claims.flatMap((c, i) => (c.volumeMode === "Block" ? [] : [{ name: `disk-${i}`, mountPath: `/mnt/${c.claim}` }])),
          volumeDevices: claims.flatMap((c, i) => (c.volumeMode === "Block" ? [{ name: `disk-${i}`, devicePath: imagePathInPod(c) }] : [])),
        },
      ],
      volumes: claims.map((c, i) => ({ name: `disk-${i}`, persistentVolumeClaim: { claimName: c.claim } })),
    },
  };
}

/** The {@link TRANSFER_LABEL} value for `vmName` (a valid label value). */
function transferLabelValue(vmName: string): string {
  return vmName.slice(0, 63).replace(/[^A-Za-z0-9_.-]/g, "_").replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "") || "vm";
}

/** The pod label a mover running in the cluster carries so the transfer pod's NetworkPolicy admits it (by default). */
export const MOVER_LABEL = "vmshift.io/mover";

/** Who may connect to the transfer pod's NBD ports (its NetworkPolicy's ingress peers). */
export interface TransferAllowFrom {
  /** Pods with these labels may connect. Default `{ "vmshift.io/mover": "true" }`. */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** …in these namespaces. Default: the target namespace only. */
  readonly namespaces?: readonly string[];
  /** Addresses outside the pod network (a mover on a node), as CIDRs, e.g. `10.0.0.5/32`. */
  readonly cidrs?: readonly string[];
}

/**
 * The NetworkPolicy guarding the transfer pod (named as the pod): only ingress to its NBD ports, and
 * only from the peers of `allowFrom`. qemu-nbd serves the claims read-write without authentication,
 * so without it any pod on the pod network could read or write the guest's disks while the warm
 * window lasts. (Enforced by the cluster's CNI when it implements NetworkPolicy; `kubectl
 * port-forward` enters the pod's own network namespace and is not subject to it.)
 */
export function transferPolicyBody(namespace: string, vmName: string, ports: readonly number[], allowFrom: TransferAllowFrom = {}): Record<string, unknown> {
  const podSelector = { matchLabels: { ...(allowFrom.podLabels ?? { [MOVER_LABEL]: "true" }) } };
  const pods = allowFrom.namespaces?.length ? { namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [...allowFrom.namespaces] }] }, podSelector } : { podSelector };
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: transferPodName(vmName), namespace, labels: { [TRANSFER_LABEL]: transferLabelValue(vmName) } },
    spec: {
      podSelector: { matchLabels: { [TRANSFER_LABEL]: transferLabelValue(vmName) } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [pods, ...(allowFrom.cidrs ?? []).map((cidr) => ({ ipBlock: { cidr } }))], ports: ports.map((port) => ({ protocol: "TCP", port })) }],
    },
  };
}

/** `nbd://host:port/export` (an IPv6 host in brackets) and the same as a QEMU protocol node. */
export function nbdVolume(host: string, port: number, exportName: string): { readonly location: string; readonly protocol: Readonly<Record<string, unknown>> } {
  const h = host.includes(":") ? `[${host}]` : host;
  return { location: `nbd://${h}:${port}/${exportName}`, protocol: { driver: "nbd", server: { type: "inet", host, port: String(port) }, export: exportName } };
}
