/**
 * CDI (Containerized Data Importer) upload path, as a move to KubeVirt uses it (reference move.md
 * "Targets"; CDI docs `upload.md`, `datavolumes.md`): a DataVolume (`cdi.kubevirt.io/v1beta1`) with
 * `spec.source.upload: {}` gets a PVC of the same name and goes `Pending → UploadScheduled →
 * UploadReady`; an `UploadTokenRequest` (`upload.cdi.kubevirt.io/v1beta1`, `spec.pvcName`) answers
 * with `status.token`; the upload proxy takes `POST /v1beta1/upload` (or `/v1beta1/upload-async`)
 * with `Authorization: Bearer <token>` and the image bytes (raw or qcow2), stores them in a real
 * file (qcow2 converted to raw with `qemu-img convert`, as CDI's upload server does), and the
 * DataVolume turns `Succeeded` with its PVC `Bound`.
 *
 * A DataVolume with `spec.source.blank: {}` (the destination of a storage live migration, user guide
 * `storage/volume_migration.md`) gets its PVC through CDI's volume-populator path: the claim names
 * a `VolumeImportSource` in `spec.dataSourceRef` (which KubeVirt's volume-migration validation
 * looks for) and is `Bound` with the requested size; the DataVolume goes `Pending → Succeeded`, and
 * its image file is an empty sparse raw image of the requested size (CDI `doc/blank-raw-image.md`;
 * a warm move's transfer pod serves it over NBD, kubelet.ts).
 *
 * On a StorageClass with `volumeBindingMode: WaitForFirstConsumer` (storage-classes.ts) both kinds
 * stop in phase `WaitForFirstConsumer` with the claim Pending until a pod uses the claim (CDI
 * `doc/waitforfirstconsumer-storage-handling.md`, HonorWaitForFirstConsumer on); an upload
 * DataVolume annotated `cdi.kubevirt.io/storage.bind.immediate.requested` goes on at once.
 *
 * Differences from CDI, on purpose: the token is an HMAC-signed JSON document rather than a JWT
 * signed with CDI's key, and the UploadTokenRequest is kept in the store (CDI's aggregated API does
 * not persist it). Deleting a DataVolume deletes its PVC and the stored file (owner reference).
 */
import { spawn } from "node:child_process";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { closeSync, createWriteStream, ftruncateSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Server, createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { registerResource } from "./resources.ts";
import "./network-policies.ts";
import { bindingModeOf } from "./storage-classes.ts";
import { ApiError, type Resource, type Store, type StoredObject } from "./store.ts";

registerResource({
  resource: "datavolumes" as Resource,
  singular: "datavolume",
  kind: "DataVolume",
  group: "cdi.kubevirt.io",
  version: "v1beta1",
  namespaced: true,
  shortNames: ["dv", "dvs"],
  categories: ["all"],
  builtIn: false,
  subresources: ["status"],
  // CDI's DataVolume CRD printer columns.
  columns: [
    { name: "Phase", type: "string", jsonPath: ".status.phase", description: "The phase the data volume is in" },
    { name: "Progress", type: "string", jsonPath: ".status.progress", description: "Transfer progress in percentage if known, N/A otherwise" },
    { name: "Restarts", type: "integer", jsonPath: ".status.restartCount", description: "The number of times the transfer has been restarted." },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
});

registerResource({
  resource: "uploadtokenrequests" as Resource,
  singular: "uploadtokenrequest",
  kind: "UploadTokenRequest",
  group: "upload.cdi.kubevirt.io",
  version: "v1beta1",
  namespaced: true,
  builtIn: false,
});

const DATAVOLUMES = "datavolumes" as Resource;
const PVCS = "persistentvolumeclaims" as Resource;
/** CDI's annotation asking a DataVolume's claim to bind at once, past WaitForFirstConsumer. */
const BIND_IMMEDIATE = "cdi.kubevirt.io/storage.bind.immediate.requested";
/** CDI's upload tokens are valid five minutes. */
const TOKEN_TTL_MS = 5 * 60_000;
const SECRET = randomBytes(32);

type Obj = StoredObject & { spec: any; status?: any };

function sign(payload: string): string {
  return createHmac("sha256", SECRET).update(payload).digest("base64url");
}

/**
 * Fills `status.token` of a created UploadTokenRequest (the API server's create path calls it):
 * a token for `spec.pvcName` in the request's namespace. 400 without a pvcName.
 */
export function issueUploadToken(object: StoredObject, namespace: string, now = Date.now()): StoredObject {
  const pvcName = (object as Obj).spec?.pvcName;
  if (typeof pvcName !== "string" || pvcName === "") throw new ApiError(400, "BadRequest", "UploadTokenRequest.spec.pvcName is required");
  const payload = Buffer.from(JSON.stringify({ namespace, pvcName, exp: now + TOKEN_TTL_MS })).toString("base64url");
  return { ...object, status: { token: `${payload}.${sign(payload)}` } } as StoredObject;
}

/** The claim a token names, or undefined when it is forged or expired. */
export function verifyUploadToken(token: string, now = Date.now()): { namespace: string; pvcName: string } | undefined {
  const [payload, mac] = token.split(".");
  if (!payload || !mac) return undefined;
  const want = Buffer.from(sign(payload));
  const got = Buffer.from(mac);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
  const claim = JSON.parse(Buffer.from(payload, "base64url").toString()) as { namespace: string; pvcName: string; exp: number };
  return claim.exp > now ? claim : undefined;
}

function bytes(value: unknown): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(value ?? "0"));
  const mult: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return m ? Number(m[1]) * (m[2] ? mult[m[2]]! : 1) : 0;
}

/** Requested size of a DataVolume (`spec.storage` or `spec.pvc`), bytes. */
export function requestedBytes(dv: { spec?: any }): number {
  return bytes((dv.spec?.storage ?? dv.spec?.pvc)?.resources?.requests?.storage);
}

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (c) => (stdout += c));
    p.stderr.on("data", (c) => (stderr += c));
    p.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    p.on("error", (e) => resolve({ code: 1, stdout, stderr: e.message }));
  });
}

/** Options of {@link CdiEnvironment.start}. */
export interface CdiOptions {
  /** Where uploaded images are stored. Default: a new temporary directory (removed by `close`). */
  readonly dir?: string;
  /** Each controller step (Pending → UploadScheduled → UploadReady), ms. Default 30. */
  readonly stepMs?: number;
}

/** CDI's DataVolume controller and its upload proxy over an environment's store. */
export class CdiEnvironment {
  readonly #store: Store;
  readonly #server: Server;
  readonly #dir: string;
  readonly #ownDir: boolean;
  readonly #stepMs: number;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #url = "";
  /** Upload requests answered so far, `status path` each. */
  readonly uploads: string[] = [];
  /** Faults: the next `rejectUploads` uploads answer 500 (after reading the body), nothing stored. */
  readonly faults = { rejectUploads: 0 };

  private constructor(store: Store, tls: { readonly cert: string; readonly key: string }, options: CdiOptions) {
    this.#store = store;
    this.#ownDir = options.dir === undefined;
    this.#dir = options.dir ?? mkdtempSync(join(tmpdir(), "kubevirt-env-cdi-"));
    this.#stepMs = options.stepMs ?? 30;
    this.#server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => void this.#upload(req, res));
  }

  /** Starts the controller and the upload proxy (HTTPS with the environment's certificate). */
  static async start(env: { readonly store: Store; readonly tls: { readonly cert: string; readonly key: string } }, options: CdiOptions = {}): Promise<CdiEnvironment> {
    const cdi = new CdiEnvironment(env.store, env.tls, options);
    await new Promise<void>((resolve) => cdi.#server.listen(0, "127.0.0.1", resolve));
    cdi.#url = `https://127.0.0.1:${(cdi.#server.address() as AddressInfo).port}`;
    cdi.#unsubscribe = env.store.subscribe((e) => {
      if (e.type === "DELETED" && e.resource === DATAVOLUMES) cdi.#removeClaim(e.object);
    }) as (() => void) | undefined;
    const loop = () => {
      cdi.reconcile();
      cdi.#timer = setTimeout(loop, cdi.#stepMs);
    };
    loop();
    return cdi;
  }

  /** The upload proxy's base URL (`https://127.0.0.1:<port>`); uploads go to `<url>/v1beta1/upload`. */
  get uploadProxyUrl(): string {
    return this.#url;
  }

  /** The file holding a DataVolume's stored (raw) image. */
  imagePath(namespace: string, name: string): string {
    return join(this.#dir, namespace, `${name}.img`);
  }

  /** One controller pass: advances every upload or blank DataVolume one phase. */
  reconcile(): void {
    for (const dv of this.#store.all(DATAVOLUMES) as Obj[]) {
      if (!dv.metadata.deletionTimestamp && dv.spec?.source?.blank) this.#blank(dv);
      if (dv.metadata.deletionTimestamp || !dv.spec?.source?.upload) continue;
      const phase = dv.status?.phase as string | undefined;
      const ns = dv.metadata.namespace!;
      const name = dv.metadata.name;
      if (phase === undefined) {
        this.#setStatus(dv, { phase: "Pending", progress: "N/A", restartCount: 0, conditions: conditions(false, "Pending") });
      } else if (phase === "Pending") {
        if (!this.#store.get(PVCS, ns, name)) {
          const storage = dv.spec.storage ?? dv.spec.pvc ?? {};
          this.#store.create(PVCS, "PersistentVolumeClaim", {
            metadata: { name, namespace: ns, ownerReferences: [{ apiVersion: "cdi.kubevirt.io/v1beta1", kind: "DataVolume", name, uid: dv.metadata.uid, controller: true }], annotations: { "cdi.kubevirt.io/storage.contentType": "kubevirt", "cdi.kubevirt.io/storage.upload.target": "" } },
            spec: { accessModes: storage.accessModes ?? ["ReadWriteOnce"], resources: storage.resources ?? {}, ...(storage.storageClassName ? { storageClassName: storage.storageClassName } : {}), volumeMode: storage.volumeMode ?? "Filesystem" },
            status: { phase: "Pending" },
          });
        }
        // WaitForFirstConsumer storage: no upload pod until a pod uses the claim, unless the DataVolume asks for immediate binding (what `virtctl image-upload --force-bind` sets).
        const immediate = dv.metadata.annotations?.[BIND_IMMEDIATE] !== undefined;
        if (!immediate && bindingModeOf(this.#store, (dv.spec.storage ?? dv.spec.pvc ?? {}).storageClassName) === "WaitForFirstConsumer" && !this.#consumed(ns, name)) {
          this.#setStatus(dv, { phase: "WaitForFirstConsumer", progress: "N/A", claimName: name, conditions: conditions(false, "WaitForFirstConsumer", false) });
          continue;
        }
        this.#setStatus(dv, { phase: "UploadScheduled", progress: "N/A", claimName: name, conditions: conditions(false, "UploadScheduled") });
      } else if (phase === "WaitForFirstConsumer") {
        if (dv.metadata.annotations?.[BIND_IMMEDIATE] !== undefined || this.#consumed(ns, name)) this.#setStatus(dv, { phase: "UploadScheduled", progress: "N/A", claimName: name, conditions: conditions(false, "UploadScheduled") });
      } else if (phase === "UploadScheduled") {
        this.#setStatus(dv, { phase: "UploadReady", progress: "N/A", claimName: name, conditions: conditions(true, "UploadReady") });
      }
    }
  }

  /**
   * A blank DataVolume: its claim through the populator path (`dataSourceRef`), bound at the
   * requested size, then Succeeded. When the claim's StorageClass binds `WaitForFirstConsumer`, the
   * claim stays Pending and the DataVolume in phase `WaitForFirstConsumer` (CDI
   * `doc/waitforfirstconsumer-storage-handling.md`, feature gate HonorWaitForFirstConsumer: no
   * worker pod until the workload schedules a pod using the claim) until a pod names the claim.
   */
  #blank(dv: Obj): void {
    const ns = dv.metadata.namespace!;
    const name = dv.metadata.name;
    const phase = dv.status?.phase as string | undefined;
    if (phase === undefined) {
      this.#setStatus(dv, { phase: "Pending", progress: "N/A", restartCount: 0, conditions: conditions(false, "Pending") });
    } else if (phase === "Pending" || phase === "WaitForFirstConsumer") {
      const storage = dv.spec.storage ?? dv.spec.pvc ?? {};
      const accessModes = storage.accessModes ?? ["ReadWriteOnce"];
      const wffc = bindingModeOf(this.#store, storage.storageClassName) === "WaitForFirstConsumer";
      if (!this.#store.get(PVCS, ns, name)) {
        this.#store.create(PVCS, "PersistentVolumeClaim", {
          metadata: { name, namespace: ns, ownerReferences: [{ apiVersion: "cdi.kubevirt.io/v1beta1", kind: "DataVolume", name, uid: dv.metadata.uid, controller: true }], annotations: { "cdi.kubevirt.io/storage.contentType": "kubevirt", "cdi.kubevirt.io/storage.usePopulator": "true" } },
          spec: {
            accessModes,
            resources: storage.resources ?? {},
            ...(storage.storageClassName ? { storageClassName: storage.storageClassName } : {}),
            volumeMode: storage.volumeMode ?? "Filesystem",
            dataSourceRef: { apiGroup: "cdi.kubevirt.io", kind: "VolumeImportSource", name: `volume-import-source-${dv.metadata.uid}` },
          },
          status: wffc ? { phase: "Pending" } : { phase: "Bound", accessModes, capacity: { storage: storage.resources?.requests?.storage ?? "0" } },
        });
      }
      if (wffc && !this.#consumed(ns, name)) {
        if (phase !== "WaitForFirstConsumer") this.#setStatus(dv, { phase: "WaitForFirstConsumer", progress: "N/A", claimName: name, conditions: conditions(false, "WaitForFirstConsumer", false) });
        return;
      }
      if (wffc) {
        const claim = this.#store.get(PVCS, ns, name);
        if (claim) this.#store.update(PVCS, { ...claim, status: { phase: "Bound", accessModes, capacity: { storage: storage.resources?.requests?.storage ?? "0" } } } as StoredObject);
      }
      // CDI's blank import writes an empty (sparse) raw image of the requested size: `disk.img` in a Filesystem claim, or the device.
      const file = this.imagePath(ns, name);
      mkdirSync(join(this.#dir, ns), { recursive: true });
      const fd = openSync(file, "w");
      try {
        ftruncateSync(fd, requestedBytes(dv));
      } finally {
        closeSync(fd);
      }
      this.#setStatus(dv, { phase: "Succeeded", progress: "100.0%", claimName: name, conditions: conditions(true, "Completed", true) });
    }
  }

  /** Whether a pod (not being deleted) in `namespace` names claim `name` among its volumes: the first consumer. */
  #consumed(namespace: string, name: string): boolean {
    return (this.#store.all("pods" as Resource, namespace) as (StoredObject & { spec?: { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] } })[]).some((p) => !p.metadata.deletionTimestamp && (p.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === name));
  }

  /** Stops the proxy and the controller; removes the image directory when it made it. */
  async close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#unsubscribe?.();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    if (this.#ownDir) rmSync(this.#dir, { recursive: true, force: true });
  }

  #setStatus(dv: Obj, status: Record<string, unknown>): void {
    const current = this.#store.get(DATAVOLUMES, dv.metadata.namespace, dv.metadata.name) as Obj | undefined;
    if (!current) return;
    this.#store.update(DATAVOLUMES, { ...current, status: { ...(current.status ?? {}), ...status } });
  }

  #removeClaim(dv: StoredObject): void {
    const ns = dv.metadata.namespace!;
    if (this.#store.get(PVCS, ns, dv.metadata.name)) {
      try {
        this.#store.delete(PVCS, ns, dv.metadata.name);
      } catch {
        // already gone
      }
    }
    rmSync(this.imagePath(ns, dv.metadata.name), { force: true });
  }

  async #upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const answer = (code: number, text: string) => {
      this.uploads.push(`${code} ${path}`);
      res.writeHead(code, { "Content-Type": "text/plain" });
      res.end(text);
    };
    try {
      if (path !== "/v1beta1/upload" && path !== "/v1beta1/upload-async") return answer(404, "404 page not found");
      if (req.method !== "POST" && req.method !== "PUT") return answer(405, "method not allowed");
      const auth = req.headers.authorization ?? "";
      const claim = auth.startsWith("Bearer ") ? verifyUploadToken(auth.slice(7)) : undefined;
      if (!claim) return answer(401, "authentication failed: invalid or expired token");
      const dv = this.#store.get(DATAVOLUMES, claim.namespace, claim.pvcName) as Obj | undefined;
      const pvc = this.#store.get(PVCS, claim.namespace, claim.pvcName);
      if (!dv) return answer(400, `PVC ${claim.pvcName} not found`);
      if (dv.status?.phase !== "UploadReady") return answer(503, `upload of ${claim.pvcName} is not ready (DataVolume phase ${dv.status?.phase ?? "Pending"})`);
      if (!pvc) return answer(400, `PVC ${claim.pvcName} not found`);
      const target = this.imagePath(claim.namespace, claim.pvcName);
      mkdirSync(join(this.#dir, claim.namespace), { recursive: true });
      const scratch = `${target}.upload`;
      this.#setStatus(dv, { phase: "UploadReady", progress: "0.00%" });
      await pipeline(req, createWriteStream(scratch));
      if (this.faults.rejectUploads > 0) {
        this.faults.rejectUploads--;
        rmSync(scratch, { force: true });
        return answer(500, "Saving stream failed: injected fault");
      }
      const info = await run("qemu-img", ["info", "--output=json", scratch]);
      if (info.code !== 0) {
        rmSync(scratch, { force: true });
        return answer(400, `Saving stream failed: Unable to process data: ${info.stderr.trim()}`);
      }
      const { format, "virtual-size": virtualSize } = JSON.parse(info.stdout) as { format: string; "virtual-size": number };
      const room = requestedBytes(dv);
      if (room > 0 && virtualSize > room) {
        rmSync(scratch, { force: true });
        return answer(400, `Saving stream failed: Virtual image size ${virtualSize} is larger than the reported available storage ${room}. A larger PVC is required.`);
      }
      if (format === "raw") renameSync(scratch, target);
      else {
        const conv = await run("qemu-img", ["convert", "-f", format, "-O", "raw", scratch, target]);
        rmSync(scratch, { force: true });
        if (conv.code !== 0) return answer(400, `Saving stream failed: Unable to convert: ${conv.stderr.trim()}`);
      }
      const current = this.#store.get(PVCS, claim.namespace, claim.pvcName);
      if (current) this.#store.update(PVCS, { ...current, status: { phase: "Bound", accessModes: (current.spec as { accessModes?: string[] }).accessModes, capacity: { storage: String(room || virtualSize) } } });
      this.#setStatus(dv, { phase: "Succeeded", progress: "100.0%", conditions: conditions(true, "Completed", true) });
      answer(200, "");
    } catch (error) {
      answer(500, `Saving stream failed: ${(error as Error).message}`);
    }
  }
}

function conditions(ready: boolean, reason: string, bound = ready): { type: string; status: string; reason: string }[] {
  return [
    { type: "Bound", status: bound ? "True" : "False", reason: bound ? "Bound" : "Pending" },
    { type: "Ready", status: ready ? "True" : "False", reason },
    { type: "Running", status: "False", reason },
  ];
}
