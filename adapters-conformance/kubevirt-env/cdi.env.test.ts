/**
 * The environment's CDI upload path (cdi.ts): DataVolume phases, UploadTokenRequest tokens, the
 * upload proxy storing real files (qcow2 converted to raw by qemu-img), its refusals, and the
 * KubeVirt move target's read-only checks against it.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { HttpKubeTransport, loadKubeConfig } from "@vmshift/kubevirt";
import { applyMaps, kubevirtMoveTarget } from "@vmshift/move";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CdiEnvironment } from "./cdi.ts";
import { KubevirtEnv } from "./env.ts";
import { call } from "./testing.ts";
import { qemuImgMissing } from "../../test-support/disk-hash.ts";

const hasQemuImg = qemuImgMissing() === undefined;

function upload(cdi: CdiEnvironment, env: KubevirtEnv, token: string, body: Buffer, path = "/v1beta1/upload"): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${cdi.uploadProxyUrl}${path}`, { method: "POST", ca: env.tls.cert, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/octet-stream", "Content-Length": String(body.length) } }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += String(c)));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const dv = (name: string, size: string) => ({ apiVersion: "cdi.kubevirt.io/v1beta1", kind: "DataVolume", metadata: { name }, spec: { source: { upload: {} }, storage: { resources: { requests: { storage: size } } } } });
const token = async (env: KubevirtEnv, pvcName: string) => (await call(env, "POST", "/apis/upload.cdi.kubevirt.io/v1beta1/namespaces/default/uploadtokenrequests", { apiVersion: "upload.cdi.kubevirt.io/v1beta1", kind: "UploadTokenRequest", metadata: { name: pvcName }, spec: { pvcName } })).body.status.token as string;
const phase = (env: KubevirtEnv, name: string) => (env.store.get("datavolumes" as never, "default", name) as any)?.status?.phase;

describe.skipIf(!hasQemuImg)("kubevirt-env CDI upload", () => {
  let env: KubevirtEnv;
  let cdi: CdiEnvironment;
  let scratch: string;
  beforeAll(async () => {
    env = await KubevirtEnv.start();
    // A controller step far longer than the tests: each test drives the phases with reconcile().
    cdi = await CdiEnvironment.start(env, { stepMs: 600_000 });
    scratch = mkdtempSync(join(tmpdir(), "cdi-env-test-"));
  });
  afterAll(async () => {
    await cdi?.close();
    await env?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("serves DataVolumes in discovery and walks Pending → UploadScheduled → UploadReady, creating the PVC", async () => {
    const discovery = await call(env, "GET", "/apis/cdi.kubevirt.io/v1beta1");
    expect(discovery.body.resources.map((r: { name: string }) => r.name)).toContain("datavolumes");
    expect((await call(env, "POST", "/apis/cdi.kubevirt.io/v1beta1/namespaces/default/datavolumes", dv("phases", "1Mi"))).status).toBe(201);
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      cdi.reconcile();
      seen.push(phase(env, "phases"));
    }
    expect(seen).toEqual(["Pending", "UploadScheduled", "UploadReady"]);
    const got = (await call(env, "GET", "/apis/cdi.kubevirt.io/v1beta1/namespaces/default/datavolumes/phases")).body;
    expect(got.status.conditions.find((c: { type: string }) => c.type === "Ready").status).toBe("True");
    expect((env.store.get("persistentvolumeclaims", "default", "phases") as any).status.phase).toBe("Pending");
  });

  it("answers an UploadTokenRequest with a token and refuses one without pvcName", async () => {
    const ok = await call(env, "POST", "/apis/upload.cdi.kubevirt.io/v1beta1/namespaces/default/uploadtokenrequests", { apiVersion: "upload.cdi.kubevirt.io/v1beta1", kind: "UploadTokenRequest", metadata: { name: "t1" }, spec: { pvcName: "phases" } });
    expect(ok.status).toBe(201);
    expect(ok.body.status.token).toMatch(/^[\w-]+\.[\w-]+$/);
    const bad = await call(env, "POST", "/apis/upload.cdi.kubevirt.io/v1beta1/namespaces/default/uploadtokenrequests", { apiVersion: "upload.cdi.kubevirt.io/v1beta1", kind: "UploadTokenRequest", metadata: { name: "t2" }, spec: {} });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("spec.pvcName is required");
  });

  it("stores a qcow2 upload as raw, byte-identical; the DataVolume succeeds and its PVC is bound", async () => {
    await call(env, "POST", "/apis/cdi.kubevirt.io/v1beta1/namespaces/default/datavolumes", dv("qcow", "4Mi"));
    const t = await token(env, "qcow");
    expect((await upload(cdi, env, t, Buffer.from("early"))).status).toBe(503);
    for (let i = 0; i < 3; i++) cdi.reconcile();
    const raw = join(scratch, "src.raw");
    writeFileSync(raw, Buffer.concat([randomBytes(1024 * 1024), Buffer.alloc(2 * 1024 * 1024), randomBytes(1024 * 1024)]));
    const qcow = join(scratch, "src.qcow2");
    expect(spawnSync("qemu-img", ["convert", "-f", "raw", "-O", "qcow2", raw, qcow]).status).toBe(0);
    expect((await upload(cdi, env, "forged.token", readFileSync(qcow))).status).toBe(401);
    const r = await upload(cdi, env, t, readFileSync(qcow), "/v1beta1/upload-async");
    expect(r.status).toBe(200);
    const stored = cdi.imagePath("default", "qcow");
    expect(readFileSync(stored).equals(readFileSync(raw))).toBe(true);
    expect(phase(env, "qcow")).toBe("Succeeded");
    expect((env.store.get("persistentvolumeclaims", "default", "qcow") as any).status.phase).toBe("Bound");
    // Deleting the DataVolume deletes its claim and the stored image.
    expect((await call(env, "DELETE", "/apis/cdi.kubevirt.io/v1beta1/namespaces/default/datavolumes/qcow")).status).toBe(200);
    expect(env.store.get("persistentvolumeclaims", "default", "qcow")).toBeUndefined();
    expect(existsSync(stored)).toBe(false);
  });

  it("refuses an image larger than the claim, storing nothing", async () => {
    await call(env, "POST", "/apis/cdi.kubevirt.io/v1beta1/namespaces/default/datavolumes", dv("small", "1Mi"));
    for (let i = 0; i < 3; i++) cdi.reconcile();
    const r = await upload(cdi, env, await token(env, "small"), Buffer.alloc(2 * 1024 * 1024, 7));
    expect(r.status).toBe(400);
    expect(r.text).toContain("Virtual image size 2097152 is larger than the reported available storage 1048576");
    expect(existsSync(cdi.imagePath("default", "small"))).toBe(false);
    expect(phase(env, "small")).toBe("UploadReady");
  });

  it.skipIf(spawnSync("kubectl", ["version", "--client"]).status !== 0)("kubectl lists DataVolumes with CDI's columns", async () => {
    const home = mkdtempSync(join(tmpdir(), "cdi-kubectl-"));
    try {
      writeFileSync(join(home, "config"), env.kubeconfig());
      // Asynchronously: the server answering kubectl runs in this process.
      const { stdout: out } = await promisify(execFile)("kubectl", ["get", "dv", "small", "-n", "default"], { env: { ...process.env, HOME: home, KUBECONFIG: join(home, "config"), KUBECACHEDIR: join(home, "cache") }, encoding: "utf8", timeout: 20_000 });
      expect(out.split("\n")[0]!.split(/\s+/).filter(Boolean)).toEqual(["NAME", "PHASE", "PROGRESS", "RESTARTS", "AGE"]);
      // The refused upload above had started: progress 0.00%.
      expect(out).toMatch(/small\s+UploadReady\s+0\.00%\s+0\s+\d+s/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("the KubeVirt move target's checks: missing namespace, names taken, two NICs on the pod network", async () => {
    await call(env, "POST", "/apis/cdi.kubevirt.io/v1beta1/namespaces/default/datavolumes", dv("phases-x", "1Mi"));
    const transport = new HttpKubeTransport({ kubeConfig: loadKubeConfig({ kubeconfigYaml: env.kubeconfig() }) });
    const definition = applyMaps(
      { id: "x", name: "phases", cpus: 1, memoryBytes: 64 * 1024 * 1024, firmware: { kind: "bios" }, snapshotCount: 0, powerState: "stopped", disks: [{ key: "x", sizeBytes: 1, format: "raw", bus: "virtio", storage: "s", device: "disk" }], nics: [{ key: "0", network: "a" }, { key: "1", network: "b" }] },
      { networkMap: { a: "pod", b: "pod" }, storageMap: { s: "standard" }, targetName: "phases" },
    );
    const ctx = { signal: new AbortController().signal };
    const missing = await kubevirtMoveTarget({ api: transport, namespace: "nowhere", uploadProxy: { url: cdi.uploadProxyUrl } }).check({ definition }, ctx);
    expect(missing.map((c) => c.message)).toEqual(["namespace nowhere does not exist on the target cluster"]);
    const checks = await kubevirtMoveTarget({ api: transport, namespace: "default", uploadProxy: { url: cdi.uploadProxyUrl } }).check({ definition }, ctx);
    expect(checks.map((c) => c.message)).toEqual([
      "2 NICs are mapped to the pod network; a KubeVirt VM has at most one (map the others to Multus networks)",
      "a DataVolume named phases-x already exists in namespace default",
    ]);
    transport.close?.();
  });
});
