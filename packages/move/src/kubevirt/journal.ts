/**
 * The KubeVirt target's move journal: the record as JSON in the VirtualMachine's annotation
 * `vmshift.io/move` (a merge patch), so it lives and dies with the VM the move created; a move is
 * found by listing the namespace's VirtualMachines.
 */
import { type MoveJournal, type MoveRecord, parseMoveRecord } from "../journal.ts";
import type { KubeRequester } from "./target.ts";

/** The annotation holding a move's record. */
export const MOVE_ANNOTATION = "vmshift.io/move";

interface VmList {
  readonly items?: readonly { readonly metadata?: { readonly name?: string; readonly annotations?: Readonly<Record<string, string>> } }[];
  readonly metadata?: { readonly continue?: string };
}

/** A journal in namespace `namespace`; `vmPath(name)` is the VirtualMachine's API path (names checked there). */
export function kubevirtJournal(options: { readonly api: KubeRequester; readonly namespace: string; readonly vmPath: (name: string) => string }): MoveJournal {
  const { api, namespace } = options;
  return {
    async write(record, ctx) {
      await api.request({ method: "PATCH", path: options.vmPath(record.reservation.vmId), body: { metadata: { annotations: { [MOVE_ANNOTATION]: JSON.stringify(record) } } }, contentType: "application/merge-patch+json", signal: ctx.signal, operation: "move.journal" });
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
