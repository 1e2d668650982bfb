/**
 * Guest conversion on the KubeVirt target (the target's {@link GuestConverter}): a conversion pod
 * (conversion-pod.ts) runs virt-v2v-in-place against the claims in the cluster. At cutover the
 * mover's conversion hook (convert.ts) calls `convert` after the disks are written and before the
 * target's `start` sets `runStrategy: Always`. It ends a warm move's transfer pod first (nothing
 * may write the claims meanwhile), creates the ConfigMap with the libvirt XML and the pod, waits
 * until the pod ends, reading its log for progress when the API client can read text, and deletes
 * pod and ConfigMap in every case, by uid (a same-named object made by someone else, or by a later
 * attempt after an `--attach --force`, is never deleted). Before it creates them, an earlier
 * attempt's pod and ConfigMap go first, but only when they carry {@link CONVERSION_LABEL} for this
 * VM; any other object of that name fails the conversion with an error naming it. A pod that ends Failed (or is gone) throws `MIGRATION_FAILED`
 * with the container's exit code and termination message (its last log lines), and the mover rolls
 * back as for a failed start.
 */
import { VmshiftError } from "@vmshift/core";
import type { GuestConverter } from "../convert.ts";
import { conversionLineReader } from "../convert-progress.ts";
import type { SpiContext } from "../spi.ts";
import { CONVERSION_CONTAINER, CONVERSION_LABEL, conversionConfigMapBody, conversionPodBody, conversionPodName, conversionPodXml } from "./conversion-pod.ts";
import type { TransferClaim } from "./transfer-pod.ts";

/** The conversion pod's settings (`KubevirtMoveTargetOptions.conversion`). */
export interface KubevirtConversionOptions {
  /** A container image with `virt-v2v-in-place` on its PATH (e.g. one built from Debian's virt-v2v package). */
  readonly image: string;
  /** Longest wait for the pod to end, ms. Default 60 min. */
  readonly timeoutMs?: number;
}

/** The part of an object's metadata the converter looks at. */
export type ConversionObjectMeta = { metadata?: { uid?: string; labels?: Record<string, string> } };

type Pod = ConversionObjectMeta & { status?: { phase?: string; message?: string; reason?: string; containerStatuses?: { state?: { terminated?: { exitCode?: number; reason?: string; message?: string } } }[] } };

/** What the converter needs from the target (its API helpers, all bound to one namespace). */
export interface ConversionPodDeps {
  readonly namespace: string;
  readonly options: KubevirtConversionOptions;
  readonly pollMs: number;
  /** POSTs `body` to the namespace's collection `plural` (core/v1) and resolves with the created object. */
  readonly create: (plural: "pods" | "configmaps", body: unknown, ctx: SpiContext) => Promise<ConversionObjectMeta | undefined>;
  /** GETs a core/v1 object of the namespace; undefined when it does not exist. */
  readonly read: <T>(plural: "pods" | "configmaps" | "persistentvolumeclaims", name: string, ctx: SpiContext) => Promise<T | undefined>;
  /**
   * DELETEs a core/v1 object of the namespace with `preconditions: { uid }` (absent, or a different
   * object of that name, is left alone) and, for pods, waits until that pod is gone.
   */
  readonly delete: (plural: "pods" | "configmaps", name: string, uid: string, ctx: SpiContext) => Promise<void>;
  /** The pod's log (`GET …/pods/<name>/log`), when the API client can read text. */
  readonly log?: (name: string, container: string, ctx: SpiContext) => Promise<string>;
  /** Ends a warm move's transfer pod of `vm` (waits until it is gone). */
  readonly endTransfer: (vm: string, ctx: SpiContext) => Promise<void>;
}

/** The KubeVirt target's converter: virt-v2v-in-place in a conversion pod (see the module comment). */
export function conversionPodConverter(deps: ConversionPodDeps): GuestConverter {
  const { options } = deps;
  const program = `virt-v2v-in-place (conversion pod, image ${options.image})`;
  return {
    program,
    // Nothing to probe where the mover runs: the image is the cluster's to pull when the pod starts.
    probe: async () => ({ version: `from ${options.image}` }),
    async convert(input, ctx) {
      const vm = input.name;
      if (input.volumes.some((v) => v.protocol)) await deps.endTransfer(vm, ctx);
      const claims: TransferClaim[] = [];
      for (const v of input.volumes) {
        const claim = v.location.slice(v.location.lastIndexOf("/") + 1);
        const pvc = await deps.read<{ spec?: { volumeMode?: string } }>("persistentvolumeclaims", claim, ctx);
        if (!pvc) throw new VmshiftError("MIGRATION_FAILED", `guest conversion: the claim ${claim} of disk ${v.diskKey} does not exist`, { operation: "move.convert", subject: vm, retryable: false });
        claims.push({ claim, volumeMode: pvc.spec?.volumeMode === "Block" ? "Block" : "Filesystem" });
      }
      const name = conversionPodName(vm);
      const configMap = conversionConfigMapBody(deps.namespace, vm, conversionPodXml(input, claims));
      const pod = conversionPodBody(deps.namespace, vm, options.image, claims);
      const label = (pod.metadata as { labels: Record<string, string> }).labels[CONVERSION_LABEL]!;
      // A pod or ConfigMap of an earlier attempt (a retried or attached cutover) goes first; nothing else does.
      for (const plural of ["pods", "configmaps"] as const) {
        const found = await deps.read<ConversionObjectMeta>(plural, name, ctx);
        if (found === undefined) continue;
        const uid = found.metadata?.uid;
        if (found.metadata?.labels?.[CONVERSION_LABEL] !== label || uid === undefined) {
          const kind = plural === "pods" ? "pod" : "ConfigMap";
          throw new VmshiftError("MIGRATION_FAILED", `guest conversion: a ${kind} ${name} that vmshift did not create for ${vm} (no label ${CONVERSION_LABEL}=${label}) is in the way in namespace ${deps.namespace}: remove or rename it`, { operation: "move.convert", subject: name, retryable: false });
        }
        await deps.delete(plural, name, uid, ctx);
      }
      const created: { plural: "pods" | "configmaps"; uid: string }[] = [];
      const quiet = { signal: new AbortController().signal };
      try {
        const cm = await deps.create("configmaps", configMap, ctx);
        if (cm?.metadata?.uid) created.push({ plural: "configmaps", uid: cm.metadata.uid });
        const p = await deps.create("pods", pod, ctx);
        if (p?.metadata?.uid) created.unshift({ plural: "pods", uid: p.metadata.uid });
        await waitForEnd(name, ctx);
      } finally {
        for (const c of created) await deps.delete(c.plural, name, c.uid, quiet);
      }
    },
  };

  async function waitForEnd(name: string, ctx: SpiContext & { readonly onEvent?: (e: import("../convert-progress.ts").ConversionEvent) => void }): Promise<void> {
    const until = Date.now() + (options.timeoutMs ?? 60 * 60_000);
    const reader = conversionLineReader();
    let seen = 0;
    let logWorks = deps.log !== undefined;
    const follow = async () => {
      if (!logWorks) return;
      try {
        const text = await deps.log!(name, CONVERSION_CONTAINER, ctx);
        if (text.length > seen) for (const e of reader.push(text.slice(seen))) ctx.onEvent?.(e);
        seen = Math.max(seen, text.length);
      } catch (error) {
        // A container not started yet has no log (400); other failures stop following, the wait goes on.
        if (!(error instanceof VmshiftError && (error.code === "INVALID_ARGUMENT" || error.code === "NOT_FOUND"))) logWorks = false;
      }
    };
    for (;;) {
      const pod = await deps.read<Pod>("pods", name, ctx);
      const phase = pod?.status?.phase;
      if (phase === "Succeeded" || phase === "Failed") {
        await follow();
        for (const e of reader.end()) ctx.onEvent?.(e);
      }
      if (phase === "Succeeded") return;
      if (phase === "Failed" || pod === undefined) {
        const t = pod?.status?.containerStatuses?.[0]?.state?.terminated;
        const why = t ? `exited ${t.exitCode ?? "?"}${t.reason ? ` (${t.reason})` : ""}${t.message?.trim() ? `: ${tail(t.message)}` : ""}` : pod ? `ended Failed${pod.status?.message ? `: ${pod.status.message}` : ""}` : "is gone";
        throw new VmshiftError("MIGRATION_FAILED", `guest conversion failed: conversion pod ${name} ${why}`, { operation: "move.convert", subject: name, retryable: false });
      }
      if (phase === "Running") await follow();
      if (ctx.signal.aborted) throw new VmshiftError("ABORTED", `guest conversion in pod ${name} was cancelled`, { operation: "move.convert", subject: name });
      if (Date.now() > until) throw new VmshiftError("TIMEOUT", `conversion pod ${name} did not end within ${options.timeoutMs ?? 3_600_000} ms`, { operation: "move.convert", subject: name });
      await new Promise((r) => setTimeout(r, deps.pollMs));
    }
  }
}

/** The last three non-empty lines of a termination message, on one line. */
function tail(text: string): string {
  return text.trim().split("\n").filter((l) => l.trim() !== "").slice(-3).join(" / ");
}
