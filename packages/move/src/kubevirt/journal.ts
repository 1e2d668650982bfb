/**
 * The KubeVirt target's move journal: the record as JSON in the VirtualMachine's annotation
 * `vmshift.io/move` (a merge patch), so it lives and dies with the VM the move created; a move is
 * found by listing the namespace's VirtualMachines. A conditional write (`replace`) reads the VM,
 * compares the record and patches with the VM's `metadata.resourceVersion` as precondition: the API
 * server refuses the patch (409 Conflict) when the VM changed since the read, so of two writers at
 * most one gets through; a 409 is read again (the change may have been the VM's status, not the
 * record).
 */
import { VmshiftError } from "@vmshift/core";
import { type MoveJournal, type MoveRecord, parseMoveRecord, sameWrite } from "../journal.ts";
import type { KubeRequester } from "./target.ts";

/** The annotation holding a move's record. */
export const MOVE_ANNOTATION = "vmshift.io/move";

/** Tries of a conditional write whose precondition keeps failing because the VM keeps changing. */
const REPLACE_TRIES = 5;

interface Vm {
  readonly metadata?: { readonly resourceVersion?: string; readonly annotations?: Readonly<Record<string, string>> };
}

const isCode = (e: unknown, code: string) => e instanceof VmshiftError && e.code === code;

interface VmList {
  readonly items?: readonly { readonly metadata?: { readonly name?: string; readonly annotations?: Readonly<Record<string, string>> } }[];
  readonly metadata?: { readonly continue?: string };
}

/** A journal in namespace `namespace`; `vmPath(name)` is the VirtualMachine's API path (names checked there). */
export function kubevirtJournal(options: { readonly api: KubeRequester; readonly namespace: string; readonly vmPath: (name: string) => string }): MoveJournal {
  const { api, namespace } = options;
  const merge = "application/merge-patch+json";
  return {
    async replace(expected, next, ctx) {
      const path = options.vmPath(next.reservation.vmId);
      for (let i = 0; i < REPLACE_TRIES; i++) {
        let vm: Vm;
        try {
          vm = await api.request<Vm>({ method: "GET", path, signal: ctx.signal, operation: "move.journal" });
        } catch (error) {
          if (isCode(error, "NOT_FOUND")) return { written: false, current: undefined };
          throw error;
        }
        const text = vm.metadata?.annotations?.[MOVE_ANNOTATION];
        const found = text === undefined ? undefined : parseMoveRecord(text);
        const current = found?.moveId === expected.moveId ? found : undefined;
        if (!current || !sameWrite(current, expected)) return { written: false, current };
        try {
          const body = { metadata: { ...(vm.metadata?.resourceVersion ? { resourceVersion: vm.metadata.resourceVersion } : {}), annotations: { [MOVE_ANNOTATION]: JSON.stringify(next) } } };
          await api.request({ method: "PATCH", path, body, contentType: merge, signal: ctx.signal, operation: "move.journal" });
          return { written: true };
        } catch (error) {
          if (isCode(error, "NOT_FOUND")) return { written: false, current: undefined };
          if (!isCode(error, "CONFLICT")) throw error;
        }
      }
      throw new VmshiftError("CONFLICT", `the VirtualMachine ${next.reservation.vmId} changed under each of ${REPLACE_TRIES} conditional writes of move ${next.moveId}'s record`, { adapter: "kubevirt", operation: "move.journal", subject: next.reservation.vmId });
    },
    async write(record, ctx) {
      await api.request({ method: "PATCH", path: options.vmPath(record.reservation.vmId), body: { metadata: { annotations: { [MOVE_ANNOTATION]: JSON.stringify(record) } } }, contentType: merge, signal: ctx.signal, operation: "move.journal" });
    },
    async find(moveId, ctx): Promise<MoveRecord | undefined> {
      let token: string | undefined;
      do {
        const page: VmList = await api.request<VmList>({ method: "GET", path: `/apis/kubevirt.io/v1/namespaces/${namespace}/virtualmachines`, query: { limit: "500", ...(token ? { continue: token } : {}) }, signal: ctx.signal, operation: "move.attach" });
        for (const vm of page.items ?? []) {
          const text = vm.metadata?.annotations?.[MOVE_ANNOTATION];
          const record = text === undefined ? undefined : parseMoveRecord(text);
          if (record?.moveId === moveId) return record;
        }
        token = page.metadata?.continue || undefined;
      } while (token);
      return undefined;
    },
  };
}
