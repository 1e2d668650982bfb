import { VmshiftError } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import { CONVERSION_LABEL, conversionPodName } from "./conversion-pod.ts";
import { type KubeRequester, kubevirtMoveTarget } from "./target.ts";

const NS = "default";
const VM = "conv-uid";
const NAME = conversionPodName(VM);
const signal = new AbortController().signal;

type Obj = { metadata: { name: string; uid: string; labels?: Record<string, string> }; status?: { phase: string } };
type Req = Parameters<KubeRequester["request"]>[0];

/** An API server double for core/v1 objects: uids, DELETE preconditions (409 on a uid mismatch), pods that end Succeeded. */
function fakeApi(seed: Record<string, Obj> = {}) {
  const store = new Map<string, Obj>(Object.entries(seed));
  const deletes: { path: string; body: unknown }[] = [];
  let next = 1;
  const fault = (status: number, code: "NOT_FOUND" | "CONFLICT", message: string) => Object.assign(new VmshiftError(code, message, { operation: "test" }), { status });
  const api: KubeRequester = {
    async request<T>(r: Req): Promise<T> {
      if (r.method === "GET") {
        const o = store.get(r.path);
        if (!o) throw fault(404, "NOT_FOUND", `${r.path} not found`);
        return o as T;
      }
      if (r.method === "POST") {
        const body = r.body as { kind: string; metadata: { name: string; labels?: Record<string, string> } };
        const path = `${r.path}/${body.metadata.name}`;
        const o: Obj = { metadata: { ...body.metadata, uid: `uid-${next++}` }, ...(body.kind === "Pod" ? { status: { phase: "Succeeded" } } : {}) };
        store.set(path, o);
        return o as T;
      }
      if (r.method === "DELETE") {
        deletes.push({ path: r.path, body: r.body });
        const o = store.get(r.path);
        if (!o) throw fault(404, "NOT_FOUND", `${r.path} not found`);
        const want = (r.body as { preconditions?: { uid?: string } } | undefined)?.preconditions?.uid;
        if (want !== undefined && want !== o.metadata.uid) throw fault(409, "CONFLICT", `Precondition failed: UID in precondition: ${want}, UID in object meta: ${o.metadata.uid}`);
        store.delete(r.path);
        return {} as T;
      }
      throw new Error(`unexpected ${r.method} ${r.path}`);
    },
  };
  return { api, store, deletes };
}

const podPath = `/api/v1/namespaces/${NS}/pods/${NAME}`;
const cmPath = `/api/v1/namespaces/${NS}/configmaps/${NAME}`;
const claimPath = `/api/v1/namespaces/${NS}/persistentvolumeclaims/${VM}-disk`;

function convert(api: KubeRequester) {
  const target = kubevirtMoveTarget({ api, namespace: NS, uploadProxy: { url: "https://upload.example" }, pollMs: 1, waitTimeoutMs: 2_000, conversion: { image: "registry.example/v2v:1" } });
  return target.converter!.convert(
    {
      name: VM,
      definition: { name: VM, cpus: 1, memoryBytes: 256 * 1024 * 1024, guestOs: "debian12_64Guest", disks: [{ key: "scsi0:0", sizeBytes: 1024, format: "raw", bus: "scsi", storage: "s", device: "disk", bootOrder: 1 }] },
      volumes: [{ diskKey: "scsi0:0", storage: "s", location: `pvc/${VM}-disk`, format: "raw", sizeBytes: 1024 }],
    },
    { signal },
  );
}

const claim: Obj = { metadata: { name: `${VM}-disk`, uid: "claim" } };

describe("the KubeVirt conversion pod's cleanup deletes only what vmshift created", () => {
  it("deletes the pod and ConfigMap it created with their uids as DELETE preconditions", async () => {
    const { api, store, deletes } = fakeApi({ [claimPath]: claim });
    await convert(api);
    expect(store.has(podPath)).toBe(false);
    expect(store.has(cmPath)).toBe(false);
    expect(deletes.map((d) => d.path).sort()).toEqual([cmPath, podPath]);
    for (const d of deletes) expect((d.body as { preconditions: { uid: string } }).preconditions.uid).toMatch(/^uid-\d+$/);
  });

  it("a same-named pod without the conversion label survives and the conversion fails naming it", async () => {
    const foreign: Obj = { metadata: { name: NAME, uid: "theirs", labels: { app: "other" } }, status: { phase: "Running" } };
    const { api, store, deletes } = fakeApi({ [claimPath]: claim, [podPath]: foreign });
    const error = await convert(api).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(VmshiftError);
    expect((error as VmshiftError).message).toContain(`pod ${NAME}`);
    expect((error as VmshiftError).message).toContain(CONVERSION_LABEL);
    expect(store.get(podPath)?.metadata.uid).toBe("theirs");
    expect(deletes).toEqual([]);
  });

  it("an earlier attempt's labelled pod and ConfigMap are deleted first, by their uids", async () => {
    const labels = { [CONVERSION_LABEL]: VM };
    const { api, deletes } = fakeApi({ [claimPath]: claim, [podPath]: { metadata: { name: NAME, uid: "old-pod", labels }, status: { phase: "Failed" } }, [cmPath]: { metadata: { name: NAME, uid: "old-cm", labels } } });
    await convert(api);
    expect(deletes.slice(0, 2).map((d) => (d.body as { preconditions: { uid: string } }).preconditions.uid)).toEqual(["old-pod", "old-cm"]);
  });

  it("an old owner's cleanup leaves a newer attempt's pod alone (uid precondition refused)", async () => {
    const { api, store } = fakeApi({ [claimPath]: claim });
    // The new owner's pod replaces ours while we wait: our DELETE carries our uid and is refused.
    const inner = api.request.bind(api);
    let swapped = false;
    const racing: KubeRequester = {
      async request<T>(r: Req): Promise<T> {
        if (r.method === "GET" && r.path === podPath && !swapped && store.has(podPath)) {
          swapped = true;
          store.set(podPath, { metadata: { name: NAME, uid: "new-owner", labels: { [CONVERSION_LABEL]: VM } }, status: { phase: "Running" } });
          return { status: { phase: "Succeeded" } } as T;
        }
        return inner<T>(r);
      },
    };
    await convert(racing);
    expect(store.get(podPath)?.metadata.uid).toBe("new-owner");
  });
});
