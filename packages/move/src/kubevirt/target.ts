/**
 * KubeVirt as a move target: one CDI DataVolume per disk with an upload source, filled through
 * CDI's upload proxy (an `UploadTokenRequest` for a token, then `POST /v1beta1/upload` with the
 * image bytes, raw or qcow2), and a VirtualMachine with `runStrategy: Halted` whose volumes are
 * those DataVolumes; start sets `runStrategy: Always` and waits for the VMI to run.
 *
 * Warm moves (CDI's upload is single-stage, so not through it): blank DataVolumes, and for the
 * transfer a pod (transfer-pod.ts) serving each claim over NBD; the mover writes the full pass and
 * every delta into `nbd://<podIP>:<port>/<claim>` with its qemu-img copier. At cutover the pod is
 * deleted (and waited gone, so nothing writes the claims any more) before the VM starts; a
 * rollback deletes the pod, the VM and the DataVolumes (the VM and DataVolumes even when the pod
 * will not go away). Blank DataVolumes on WaitForFirstConsumer storage get a short first-consumer
 * pod before the transfer pod; a NetworkPolicy admits only `transfer.allowFrom` to the NBD ports.
 * The mover must reach the pod network (run it in the cluster) or be given an address that
 * forwards to the pod (`transfer.address`).
 *
 * It speaks the Kubernetes API through a {@link KubeRequester} (e.g. `HttpKubeTransport` from
 * `@vmshift/kubevirt`) and the upload proxy with `node:https`.
 */
import { createReadStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { isIP } from "node:net";
import { join } from "node:path";
import { VmshiftError } from "@vmshift/core";
import type { MoveCheck } from "../checks.ts";
import { type CommandRunner, spawnRunner } from "../exec.ts";
import type { MappedDefinition } from "../mapping.ts";
import type { MoveTarget, Reservation, ReservedVolume, SpiContext } from "../spi.ts";
import type { Journaling } from "../journal.ts";
import { kubevirtJournal } from "./journal.ts";
import type { TargetAccepts } from "../validate.ts";
import { NBD_PORT, type TransferAllowFrom, type TransferClaim, consumerPodBody, transferPolicyBody, consumerPodName, nbdVolume, transferPodBody, transferPodName } from "./transfer-pod.ts";
import { type KubevirtConversionOptions, conversionPodConverter } from "./conversion.ts";
import { POD_NETWORK, dataVolumeBody, dataVolumeName, isNamespaceName, isObjectName, virtualMachineBody } from "./manifests.ts";

/** The part of a Kubernetes client the target uses (`HttpKubeTransport` from `@vmshift/kubevirt` fits). */
export interface KubeRequester {
  /** Sends one request to the API server and resolves with the parsed JSON answer; throws a VmshiftError on 4xx/5xx. */
  request<T>(request: { readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE"; readonly path: string; readonly query?: Readonly<Record<string, string>>; readonly body?: unknown; readonly contentType?: string; readonly signal?: AbortSignal; readonly operation?: string }): Promise<T>;
  /** A GET whose answer is text (a pod's log); when absent, the conversion pod's progress is not followed. */
  requestText?(request: { readonly method: "GET"; readonly path: string; readonly query?: Readonly<Record<string, string>>; readonly signal?: AbortSignal; readonly operation?: string }): Promise<string>;
}

/** Options of {@link kubevirtMoveTarget}. */
export interface KubevirtMoveTargetOptions {
  /** The cluster's API. */
  readonly api: KubeRequester;
  /** Namespace the VM and its DataVolumes are created in. */
  readonly namespace: string;
  /** CDI's upload proxy (`cdi-uploadproxy` service or route): base URL and the CA it presents. */
  readonly uploadProxy: { readonly url: string; readonly ca?: string };
  /** Runs `qemu-img` for readers that are not local files (NBD exports). Default: spawn. */
  readonly runner?: CommandRunner;
  /** Poll interval for DataVolume and VMI phases, ms. Default 100. */
  readonly pollMs?: number;
  /** Longest wait for a DataVolume or VMI phase, ms. Default 300 000. */
  readonly waitTimeoutMs?: number;
  /**
   * Warm moves: the transfer pod that serves the blank DataVolumes over NBD while the disks are
   * copied. Absent → warm moves fail their preflight (`kubevirt.transferImage`).
   */
  readonly transfer?: KubevirtTransferOptions;
  /**
   * Guest conversion at cutover: a conversion pod running virt-v2v-in-place from this image against
   * the claims (conversion.ts). Absent → `convert: always` fails the preflight and `auto` warns
   * that the guest stays as it is.
   */
  readonly conversion?: KubevirtConversionOptions;
}

/** The transfer pod of warm moves (see transfer-pod.ts). */
export interface KubevirtTransferOptions {
  /** A container image with `qemu-nbd` on its PATH (e.g. one built from Debian's qemu-utils). */
  readonly image: string;
  /**
   * Where the mover connects instead of the pod's IP: a host name or address that forwards the
   * ports to the pod (e.g. `127.0.0.1` with `kubectl port-forward pod/<vm>-vmshift-transfer 10809 10810…`).
   * Default: `status.podIP` (the mover runs in the cluster, or on a host that routes the pod network).
   */
  readonly address?: string;
  /** NBD port of the first disk; disk `i` uses `port + i`. Default 10809. */
  readonly port?: number;
  /**
   * Who may reach the NBD ports: the transfer pod gets a NetworkPolicy admitting only these peers
   * (transfer-pod.ts). Default: pods labelled `vmshift.io/mover: "true"` in the target namespace.
   */
  readonly allowFrom?: TransferAllowFrom;
}

/** A host name or IP address (what may stand in an `nbd://` URI's host). */
const HOST = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9.:-]*[A-Za-z0-9])?$/;

const LABEL_KEY = /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$/;

/** Refuses an `allowFrom` the API server would refuse (or that would admit the wrong peers). */
function checkAllowFrom(allowFrom: TransferAllowFrom | undefined): void {
  if (allowFrom === undefined) return;
  const bad = (what: string) => new VmshiftError("INVALID_ARGUMENT", `transfer.allowFrom: ${what}`, { operation: "move.target" });
  for (const [k, v] of Object.entries(allowFrom.podLabels ?? {})) if (!LABEL_KEY.test(k) || typeof v !== "string" || !LABEL_VALUE.test(v)) throw bad(`${JSON.stringify(k)}=${JSON.stringify(v)} is not a label`);
  if (allowFrom.podLabels && Object.keys(allowFrom.podLabels).length === 0) throw bad("podLabels is empty (it would admit every pod)");
  for (const n of allowFrom.namespaces ?? []) if (!isNamespaceName(n)) throw bad(`${JSON.stringify(n)} is not a namespace name`);
  for (const c of allowFrom.cidrs ?? []) {
    const [addr, prefix, ...rest] = String(c).split("/");
    const family = isIP(addr ?? "");
    if (rest.length > 0 || family === 0 || !/^\d{1,3}$/.test(prefix ?? "") || Number(prefix) > (family === 4 ? 32 : 128)) throw bad(`${JSON.stringify(c)} is not a CIDR`);
  }
}

/** DataVolume phases in which CDI waits for a pod to use the claim (WaitForFirstConsumer storage; `PendingPopulation` with volume populators). */
const WAITING_FOR_CONSUMER = new Set(["WaitForFirstConsumer", "PendingPopulation"]);

/** Unknown fields are errors, not warnings: a manifest the API server would prune is a bug here. */
const STRICT = { fieldValidation: "Strict" } as const;

type Kube = { metadata?: { name?: string }; spec?: any; status?: any };

function isNotFound(error: unknown): boolean {
  return error instanceof VmshiftError && error.code === "NOT_FOUND";
}

/** A KubeVirt move target (cold moves by upload; warm moves with `transfer`; see the module comment). */
export function kubevirtMoveTarget(options: KubevirtMoveTargetOptions): MoveTarget & Journaling & { readonly accepts: TargetAccepts } {
  const { api, namespace } = options;
  if (!isNamespaceName(namespace)) throw new VmshiftError("INVALID_ARGUMENT", `${JSON.stringify(namespace)} is not a Kubernetes namespace name (lower-case letters, digits and '-', at most 63)`, { operation: "move.target" });
  const ns = namespace;
  const transfer = options.transfer;
  if (transfer) {
    if (typeof transfer.image !== "string" || transfer.image.trim() === "" || /\s/.test(transfer.image)) throw new VmshiftError("INVALID_ARGUMENT", `transfer.image ${JSON.stringify(transfer.image)} is not a container image reference`, { operation: "move.target" });
    if (transfer.address !== undefined && !HOST.test(transfer.address)) throw new VmshiftError("INVALID_ARGUMENT", `transfer.address ${JSON.stringify(transfer.address)} is not a host name or IP address`, { operation: "move.target" });
    if (transfer.port !== undefined && !(Number.isInteger(transfer.port) && transfer.port > 0 && transfer.port < 65000)) throw new VmshiftError("INVALID_ARGUMENT", `transfer.port ${String(transfer.port)} is not a TCP port`, { operation: "move.target" });
    checkAllowFrom(transfer.allowFrom);
  }
  const conversion = options.conversion;
  if (conversion && (typeof conversion.image !== "string" || conversion.image.trim() === "" || /\s/.test(conversion.image))) throw new VmshiftError("INVALID_ARGUMENT", `conversion.image ${JSON.stringify(conversion.image)} is not a container image reference`, { operation: "move.target" });
  // Every name reaches a URL path through `segment`: only valid object names pass (they need no escaping).
  const segment = (name: string) => {
    if (!isObjectName(name)) throw new VmshiftError("INVALID_ARGUMENT", `${JSON.stringify(name)} is not a Kubernetes object name`, { operation: "move.target" });
    return name;
  };
  const vmPath = (name: string) => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/${segment(name)}`;
  const vmiPath = (name: string) => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/${segment(name)}`;
  const podPath = (name: string) => `/api/v1/namespaces/${ns}/pods/${segment(name)}`;
  const policyPath = (name: string) => `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/${segment(name)}`;
  const pvcPath = (name: string) => `/api/v1/namespaces/${ns}/persistentvolumeclaims/${segment(name)}`;
  const dvPath = (name = "") => `/apis/cdi.kubevirt.io/v1beta1/namespaces/${ns}/datavolumes${name ? `/${segment(name)}` : ""}`;
  const runner = options.runner ?? spawnRunner();
  const pollMs = options.pollMs ?? 100;
  const waitMs = options.waitTimeoutMs ?? 300_000;

  async function get<T>(path: string, ctx: SpiContext, operation: string): Promise<T | undefined> {
    try {
      return await api.request<T>({ method: "GET", path, signal: ctx.signal, operation });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async function remove(path: string, ctx: SpiContext): Promise<void> {
    try {
      await api.request({ method: "DELETE", path, signal: ctx.signal, operation: "move.rollback" });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async function waitFor<T>(what: string, read: () => Promise<T | undefined>, done: (v: T | undefined) => boolean, failed: (v: T | undefined) => string | undefined, ctx: SpiContext): Promise<void> {
    const until = Date.now() + waitMs;
    for (;;) {
      const v = await read();
      if (done(v)) return;
      const why = failed(v);
      if (why) throw new VmshiftError("MIGRATION_FAILED", `${what}: ${why}`, { operation: "move.target", retryable: false });
      if (ctx.signal.aborted) throw new VmshiftError("ABORTED", `waiting for ${what} was cancelled`, { operation: "move.target" });
      if (Date.now() > until) throw new VmshiftError("TIMEOUT", `${what} did not happen within ${waitMs} ms`, { operation: "move.target" });
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  /** Deletes the transfer pod of `vm` and waits until it is gone (its qemu-nbd no longer holds the claims). */
  async function endTransfer(vm: string, ctx: SpiContext): Promise<void> {
    const path = podPath(transferPodName(vm));
    await remove(path, ctx);
    await waitFor<Kube>(`transfer pod ${transferPodName(vm)} to be gone`, () => get<Kube>(path, ctx, "move.transfer"), (v) => v === undefined, () => undefined, ctx);
    // Its NetworkPolicy only once the pod is gone (never an unguarded moment).
    await remove(policyPath(transferPodName(vm)), ctx);
  }

  /** Waits for the blank DataVolumes, starts the transfer pod, waits until it is Ready; the volumes as NBD exports. */
  async function openTransfer(definition: MappedDefinition, created: string[], ctx: SpiContext): Promise<ReservedVolume[]> {
    const t = transfer!;
    const claims: (TransferClaim & { readonly disk: MappedDefinition["disks"][number] })[] = [];
    const dvFailed = (v: Kube | undefined) => (v === undefined ? "it is gone" : v.status?.phase === "Failed" ? "it failed" : undefined);
    const unbound: string[] = [];
    for (const d of definition.disks) {
      const dv = dataVolumeName(definition.targetName, d.key);
      let phase = "";
      await waitFor<Kube>(`blank DataVolume ${dv} to succeed`, () => get<Kube>(dvPath(dv), ctx, "move.reserve"), (v) => ((phase = v?.status?.phase ?? ""), phase === "Succeeded" || WAITING_FOR_CONSUMER.has(phase)), dvFailed, ctx);
      if (phase !== "Succeeded") unbound.push(dv);
      const pvc = await get<Kube>(pvcPath(dv), ctx, "move.reserve");
      claims.push({ claim: dv, volumeMode: pvc?.spec?.volumeMode === "Block" ? "Block" : "Filesystem", disk: d });
    }
    if (unbound.length > 0) {
      // WaitForFirstConsumer storage: a short pod using the claims binds them; CDI fills them after, and only then may qemu-nbd open them.
      const consumer = podPath(consumerPodName(definition.targetName));
      await api.request({ method: "POST", path: `/api/v1/namespaces/${ns}/pods`, query: STRICT, body: consumerPodBody(namespace, definition.targetName, t.image, claims.filter((c) => unbound.includes(c.claim))), signal: ctx.signal, operation: "move.reserve" });
      created.push(consumer);
      for (const dv of unbound) await waitFor<Kube>(`blank DataVolume ${dv} to succeed after its first consumer`, () => get<Kube>(dvPath(dv), ctx, "move.reserve"), (v) => v?.status?.phase === "Succeeded", dvFailed, ctx);
      await remove(consumer, ctx);
      await waitFor<Kube>(`pod ${consumerPodName(definition.targetName)} to be gone`, () => get<Kube>(consumer, ctx, "move.reserve"), (v) => v === undefined, () => undefined, ctx);
      created.splice(created.indexOf(consumer), 1);
    }
    const port = t.port ?? NBD_PORT;
    const name = transferPodName(definition.targetName);
    // The NetworkPolicy first: the pod never serves the claims to peers outside `allowFrom`.
    await api.request({ method: "POST", path: `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`, query: STRICT, body: transferPolicyBody(namespace, definition.targetName, claims.map((_, i) => port + i), t.allowFrom), signal: ctx.signal, operation: "move.reserve" });
    created.push(policyPath(name));
    await api.request({ method: "POST", path: `/api/v1/namespaces/${ns}/pods`, query: STRICT, body: transferPodBody(namespace, definition.targetName, t.image, claims, port), signal: ctx.signal, operation: "move.reserve" });
    created.push(podPath(name));
    let podIP = "";
    await waitFor<Kube>(
      `transfer pod ${name} to be ready`,
      () => get<Kube>(podPath(name), ctx, "move.reserve"),
      (v) => {
        podIP = v?.status?.podIP ?? "";
        return v?.status?.phase === "Running" && podIP !== "" && (v.status?.conditions ?? []).some((c: { type?: string; status?: string }) => c.type === "Ready" && c.status === "True");
      },
      (v) => {
        if (v === undefined) return "it is gone";
        if (v.status?.phase !== "Failed" && v.status?.phase !== "Succeeded") return undefined;
        const ended = (v.status?.containerStatuses ?? []).map((c: any) => c?.state?.terminated?.message ?? c?.state?.terminated?.reason).filter(Boolean);
        return `it ended ${v.status.phase}${v.status?.message ? `: ${v.status.message}` : ""}${ended.length ? ` (${ended.join("; ")})` : ""}`;
      },
      ctx,
    );
    const host = t.address ?? podIP;
    if (!HOST.test(host)) throw new VmshiftError("MIGRATION_FAILED", `transfer pod ${name} reports podIP ${JSON.stringify(podIP)}, which is no address`, { operation: "move.reserve" });
    return claims.map((c, i) => ({ diskKey: c.disk.key, storage: c.disk.targetStorage, format: "raw", sizeBytes: c.disk.sizeBytes, ...nbdVolume(host, port + i, c.claim) }));
  }

  const converter = conversion
    ? conversionPodConverter({
        namespace: ns,
        options: conversion,
        pollMs: Math.max(pollMs, 200),
        create: (plural, body, ctx) => api.request({ method: "POST", path: `/api/v1/namespaces/${ns}/${plural}`, query: STRICT, body, signal: ctx.signal, operation: "move.convert" }),
        read: (plural, name, ctx) => get(`/api/v1/namespaces/${ns}/${plural}/${segment(name)}`, ctx, "move.convert"),
        delete: async (plural, name, uid, ctx) => {
          const path = `/api/v1/namespaces/${ns}/${plural}/${segment(name)}`;
          try {
            await api.request({ method: "DELETE", path, body: { apiVersion: "v1", kind: "DeleteOptions", preconditions: { uid } }, signal: ctx.signal, operation: "move.convert" });
          } catch (error) {
            // Gone already, or (409) the name now belongs to another object: neither is ours to delete.
            if (isNotFound(error) || (error instanceof VmshiftError && error.code === "CONFLICT")) return;
            throw error;
          }
          if (plural === "pods") await waitFor<Kube & { metadata?: { uid?: string } }>(`conversion pod ${name} to be gone`, () => get(path, ctx, "move.convert"), (v) => v?.metadata?.uid !== uid, () => undefined, ctx);
        },
        ...(api.requestText ? { log: (name: string, container: string, ctx: SpiContext) => api.requestText!({ method: "GET", path: `${podPath(name)}/log`, query: { container }, signal: ctx.signal, operation: "move.convert" }) } : {}),
        endTransfer,
      })
    : undefined;

  return {
    platform: "kubevirt",
    ...(converter ? { converter } : {}),
    accepts: { buses: ["virtio", "sata", "scsi"], firmware: ["bios", "uefi"] },
    journal: kubevirtJournal({ api, namespace: ns, vmPath }),

    async check({ definition }, ctx) {
      const checks: MoveCheck[] = [];
      if (!isObjectName(definition.targetName)) {
        checks.push({ id: "target.name", category: "policy", severity: "error", subject: definition.targetName, message: `${JSON.stringify(definition.targetName)} is not a valid KubeVirt VM name (lower-case letters, digits, '-' and '.'; at most 253): pass targetName` });
        return checks;
      }
      const nsObject = await get(`/api/v1/namespaces/${ns}`, ctx, "move.check");
      if (!nsObject) {
        checks.push({ id: "target.storageMissing", category: "storage", severity: "error", subject: namespace, message: `namespace ${namespace} does not exist on the target cluster` });
        return checks;
      }
      if (await get(vmPath(definition.targetName), ctx, "move.check")) checks.push({ id: "target.nameTaken", category: "policy", severity: "error", subject: definition.targetName, message: `a VirtualMachine named ${definition.targetName} already exists in namespace ${namespace}` });
      const onPod = definition.nics.filter((n) => n.targetNetwork === POD_NETWORK);
      if (onPod.length > 1) checks.push({ id: "target.networkMissing", category: "network", severity: "error", subject: POD_NETWORK, message: `${onPod.length} NICs are mapped to the pod network; a KubeVirt VM has at most one (map the others to Multus networks)` });
      for (const d of definition.disks) {
        if (await get(dvPath(dataVolumeName(definition.targetName, d.key)), ctx, "move.check")) checks.push({ id: "target.nameTaken", category: "policy", severity: "error", subject: dataVolumeName(definition.targetName, d.key), message: `a DataVolume named ${dataVolumeName(definition.targetName, d.key)} already exists in namespace ${namespace}` });
      }
      return checks;
    },

    async checkWarm({ definition }, ctx) {
      if (!transfer) return [{ id: "kubevirt.transferImage", category: "compatibility", severity: "error", subject: namespace, message: "a warm move into KubeVirt writes the disks through a transfer pod serving them over NBD, and no transfer image is configured: set transfer.image (CLI profile: transferImage) to an image with qemu-nbd, or move cold" }];
      if (!isObjectName(definition.targetName)) return [];
      const pod = transferPodName(definition.targetName);
      return (await get(podPath(pod), ctx, "move.check")) ? [{ id: "target.nameTaken", category: "policy", severity: "error", subject: pod, message: `a pod named ${pod} (the warm move's transfer pod) already exists in namespace ${namespace}` }] : [];
    },

    async reserve(definition, ctx) {
      const warm = ctx.mode === "warm";
      if (warm && !transfer) throw new VmshiftError("NOT_SUPPORTED", "a warm move into KubeVirt needs transfer.image (the transfer pod's image)", { operation: "move.reserve", subject: definition.targetName });
      const created: string[] = [];
      try {
        let volumes: ReservedVolume[] = [];
        for (const d of definition.disks) {
          const name = dataVolumeName(definition.targetName, d.key);
          await api.request({ method: "POST", path: dvPath(), query: STRICT, body: dataVolumeBody(namespace, name, d, warm ? "blank" : "upload"), signal: ctx.signal, operation: "move.reserve" });
          created.push(dvPath(name));
          volumes.push({ diskKey: d.key, storage: d.targetStorage, location: `cdi-upload://${namespace}/${name}`, format: "raw", sizeBytes: d.sizeBytes });
        }
        await api.request({ method: "POST", path: `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`, query: STRICT, body: virtualMachineBody(namespace, definition), signal: ctx.signal, operation: "move.reserve" });
        created.push(vmPath(definition.targetName));
        if (warm) volumes = await openTransfer(definition, created, ctx);
        return { vmId: definition.targetName, volumes };
      } catch (error) {
        for (const path of created.reverse()) await remove(path, { signal: new AbortController().signal }).catch(() => undefined);
        throw error;
      }
    },

    async writeDisk(from, to, ctx) {
      const dv = to.location.slice(to.location.lastIndexOf("/") + 1);
      await waitFor<Kube>(`DataVolume ${dv} ready for upload`, () => get<Kube>(dvPath(dv), ctx, "move.transfer"), (v) => v?.status?.phase === "UploadReady", (v) => (v === undefined ? "it is gone" : v.status?.phase === "Failed" ? "it failed" : undefined), ctx);
      const token = await api.request<{ status?: { token?: string } }>({
        method: "POST",
        path: `/apis/upload.cdi.kubevirt.io/v1beta1/namespaces/${ns}/uploadtokenrequests`,
        body: { apiVersion: "upload.cdi.kubevirt.io/v1beta1", kind: "UploadTokenRequest", metadata: { name: dv, namespace }, spec: { pvcName: dv } },
        signal: ctx.signal,
        operation: "move.transfer",
      });
      if (!token.status?.token) throw new VmshiftError("MIGRATION_FAILED", `the upload token request for ${dv} returned no token`, { operation: "move.transfer", subject: to.diskKey });
      const local = !from.protocol && !from.location.includes("://") && (from.format === "raw" || from.format === "qcow2");
      let file = from.location;
      let scratch: string | undefined;
      if (!local) {
        // The upload proxy takes raw or qcow2 bytes: other formats and NBD exports go through a local qcow2 first.
        scratch = mkdtempSync(join(tmpdir(), "vmshift-upload-"));
        file = join(scratch, "disk.qcow2");
        const r = await runner.run("qemu-img", ["convert", "-f", from.format, "-O", "qcow2", from.location, file], { signal: ctx.signal });
        if (r.code !== 0) throw new VmshiftError("MIGRATION_FAILED", `qemu-img convert of disk ${to.diskKey} for upload failed: ${r.stderr.trim().split("\n").at(-1) ?? ""}`, { operation: "move.transfer", subject: to.diskKey });
      }
      try {
        await upload(`${options.uploadProxy.url.replace(/\/$/, "")}/v1beta1/upload`, options.uploadProxy.ca, token.status.token, file, to, ctx);
      } finally {
        if (scratch) rmSync(scratch, { recursive: true, force: true });
      }
      await waitFor<Kube>(`DataVolume ${dv} to succeed`, () => get<Kube>(dvPath(dv), ctx, "move.transfer"), (v) => v?.status?.phase === "Succeeded", (v) => (v === undefined ? "it is gone" : v.status?.phase === "Failed" ? "it failed" : undefined), ctx);
      ctx.onProgress?.({ copiedBytes: to.sizeBytes, totalBytes: to.sizeBytes });
    },

    async start(reservation, ctx) {
      // A warm move's claims are served by the transfer pod until now: it goes (and is gone) before the VM mounts them.
      if (reservation.volumes.some((v) => v.protocol)) await endTransfer(reservation.vmId, ctx);
      await api.request({ method: "PATCH", path: vmPath(reservation.vmId), body: { spec: { runStrategy: "Always" } }, contentType: "application/merge-patch+json", signal: ctx.signal, operation: "move.start" });
      await waitFor<Kube>(`VirtualMachineInstance ${reservation.vmId} running`, () => get<Kube>(vmiPath(reservation.vmId), ctx, "move.start"), (v) => v?.status?.phase === "Running", (v) => (v?.status?.phase === "Failed" ? "it failed" : undefined), ctx);
    },

    async remove(reservation: Reservation, ctx) {
      // The transfer pod best-effort: a pod that will not go away must not leave the VM and DataVolumes behind; its error comes after.
      let podError: unknown;
      if (reservation.volumes.some((v) => v.protocol)) await endTransfer(reservation.vmId, ctx).catch((error: unknown) => void (podError = error));
      await remove(vmPath(reservation.vmId), ctx);
      for (const v of reservation.volumes) await remove(dvPath(v.location.slice(v.location.lastIndexOf("/") + 1)), ctx);
      if (podError !== undefined) {
        const e = podError instanceof VmshiftError ? podError : undefined;
        throw new VmshiftError(e?.code ?? "MIGRATION_FAILED", `the VM and DataVolumes of ${reservation.vmId} were deleted, but its transfer pod was not removed: ${e?.reason ?? String(podError)}`, { operation: "move.rollback", subject: transferPodName(reservation.vmId), retryable: e?.retryable ?? true, cause: podError });
      }
    },

    async powerState(reservation, ctx) {
      const vmi = await get<Kube>(vmiPath(reservation.vmId), ctx, "move.status");
      if (!vmi) return "stopped";
      return vmi.status?.phase === "Running" ? "running" : "other";
    },
  };
}

/** POSTs a file to the upload proxy with the token; rejects with the proxy's answer on a non-2xx status. */
function upload(url: string, ca: string | undefined, token: string, file: string, to: ReservedVolume, ctx: SpiContext & { readonly onProgress?: (p: { copiedBytes: number; totalBytes: number }) => void }): Promise<void> {
  const size = statSync(file).size;
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: "POST", ...(ca ? { ca } : {}), signal: ctx.signal, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/octet-stream", "Content-Length": String(size) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => {
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) resolve();
        else reject(new VmshiftError("MIGRATION_FAILED", `the upload proxy refused disk ${to.diskKey}: ${code} ${text.trim().slice(0, 300)}`, { operation: "move.transfer", subject: to.diskKey, retryable: code >= 500 }));
      });
    });
    req.on("error", (e) => reject(ctx.signal.aborted ? new VmshiftError("ABORTED", `upload of disk ${to.diskKey} was cancelled`, { operation: "move.transfer", subject: to.diskKey }) : new VmshiftError("TRANSPORT", `upload of disk ${to.diskKey} failed: ${e.message}`, { operation: "move.transfer", subject: to.diskKey, retryable: true })));
    let sent = 0;
    const stream = createReadStream(file);
    stream.on("data", (c) => {
      sent += c.length;
      ctx.onProgress?.({ copiedBytes: Math.round((sent / Math.max(1, size)) * to.sizeBytes), totalBytes: to.sizeBytes });
    });
    stream.on("error", (e) => req.destroy(e));
    stream.pipe(req);
  });
}
