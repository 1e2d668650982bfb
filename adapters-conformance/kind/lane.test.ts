/** The kind lane's scripts pass shellcheck, refuse clearly where there is no Docker engine, and ship valid manifests. */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { matchPolicy } from "@vmshift/kubevirt";
import { validateAgainst } from "../kubevirt-env/schema.ts";

const dir = fileURLToPath(new URL(".", import.meta.url));
const scripts = readdirSync(dir).filter((f) => f.endsWith(".sh"));
const hasShellcheck = spawnSync("shellcheck", ["--version"]).status === 0;
/** A parsed manifest (shape checked by the tests). */
type Doc = Record<string, any>;
const docs = (file: string): Doc[] => parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((d) => d.toJS() as Doc);
const VALID = { causes: [], unknown: [] };

/** What this machine lacks to run the lane live, in words (empty: it can). */
function missingForLiveLane(): string[] {
  const missing: string[] = [];
  const docker = spawnSync("docker", ["info"], { encoding: "utf8", timeout: 20_000 });
  if (docker.error) missing.push("no 'docker' command");
  else if (docker.status !== 0) missing.push("no Docker engine answers ('docker info' failed)");
  if (spawnSync("kind", ["version"]).error) missing.push("no 'kind' command");
  if (spawnSync("kubectl", ["version", "--client"]).error) missing.push("no 'kubectl' command");
  if (process.env["VMSHIFT_KIND_LANE"] !== "1") missing.push("VMSHIFT_KIND_LANE=1 is not set (the lane pulls images from quay.io and github.com and takes ~30 min)");
  return missing;
}
const missing = missingForLiveLane();

describe("kubevirt-kind lane", () => {
  it("has its scripts", () => {
    expect(scripts.sort()).toEqual(["down.sh", "lib.sh", "run.sh", "up.sh"]);
  });

  it("scripts parse (bash -n)", () => {
    for (const script of scripts) {
      const result = spawnSync("bash", ["-n", join(dir, script)], { encoding: "utf8" });
      expect(result.stderr, script).toBe("");
      expect(result.status, script).toBe(0);
    }
  });

  it.skipIf(!hasShellcheck && process.env["CI"] !== "true")("passes shellcheck (installed by .ci/setup.d/20-kubevirt.sh)", () => {
    const result = spawnSync("shellcheck", ["-x", ...scripts], { cwd: dir, encoding: "utf8" });
    expect(result.error).toBeUndefined();
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("says clearly that it cannot run without a Docker engine, starts nothing, and exits (0 as SKIPPED, 3 when required)", () => {
    // A `docker` that fails like one with no engine behind it, first on PATH.
    const fake = mkdtempSync(join(tmpdir(), "no-docker-"));
    writeFileSync(join(fake, "docker"), "#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n");
    writeFileSync(join(fake, "kind"), "#!/bin/sh\necho \"kind must not be called: $*\" >&2\nexit 99\n");
    chmodSync(join(fake, "docker"), 0o755);
    chmodSync(join(fake, "kind"), 0o755);
    const env = { ...process.env, PATH: `${fake}:${process.env["PATH"]}` };
    const skipped = spawnSync("bash", [join(dir, "run.sh")], { env, encoding: "utf8", timeout: 30_000 });
    expect(skipped.status).toBe(0);
    expect(skipped.stderr).toContain("UNAVAILABLE: no Docker engine answers here");
    expect(skipped.stderr).toContain("SKIPPED");
    expect(skipped.stderr).not.toContain("kind must not be called");
    const required = spawnSync("bash", [join(dir, "run.sh")], { env: { ...env, KIND_LANE_REQUIRED: "1" }, encoding: "utf8", timeout: 30_000 });
    expect(required.status).toBe(3);
  });

  it("ships manifests that parse, and VMs valid against the pinned KubeVirt schema", () => {
    const vms = docs("vms.yaml") as { kind: string; metadata: { name: string } }[];
    expect(vms.map((v) => v.metadata.name)).toEqual(["vmshift-cirros-a", "vmshift-cirros-b"]);
    for (const vm of vms) expect(validateAgainst("v1.VirtualMachine", vm)).toEqual(VALID);
    const kind = docs("kind-config.yaml")[0] as { nodes: { role: string }[] };
    expect(kind.nodes.map((n) => n.role)).toEqual(["control-plane", "worker", "worker"]);
  });

  it("the KubeVirt CR enables what the feature cases need, with v1.9.0's gate names, and is valid against the pinned schema", () => {
    const cr = docs("kubevirt-cr.yaml")[0]!;
    expect(validateAgainst("v1.KubeVirt", cr)).toEqual(VALID);
    // Alpha in v1.9.0 (pkg/virt-config/featuregate/active.go): must be listed. VolumesUpdateStrategy and
    // VolumeMigration are GA in v1.9.0 (inactive.go: always on), so listing them is pointless.
    expect(cr["spec"].configuration.developerConfiguration.featureGates).toEqual(["DecentralizedLiveMigration", "MigrationStallDetection"]);
    // Volume migration needs both (user guide storage/volume_migration.md).
    expect(cr["spec"].configuration.vmRolloutStrategy).toBe("LiveUpdate");
    expect(cr["spec"].workloadUpdateStrategy.workloadUpdateMethods).toEqual(["LiveMigrate"]);
  });

  it("storage case: a second StorageClass of kind's provisioner, and a valid VM on a claim of the first", () => {
    const [storageClass, claim, vm] = docs("storage.yaml") as [Doc, Doc, Doc];
    // StorageClass is not in the pinned KubeVirt spec: its storage.k8s.io/v1 fields are checked by hand.
    expect(storageClass).toMatchObject({ apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "vmshift-local-b" }, provisioner: "rancher.io/local-path" });
    expect(["Immediate", "WaitForFirstConsumer"]).toContain(storageClass["volumeBindingMode"]);
    expect(Object.keys(storageClass).sort()).toEqual(["apiVersion", "kind", "metadata", "provisioner", "reclaimPolicy", "volumeBindingMode"]);
    expect(claim).toMatchObject({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "vmshift-cirros-data" } });
    expect(validateAgainst("k8s.io.api.core.v1.PersistentVolumeClaimSpec", claim["spec"])).toEqual(VALID);
    expect(claim["spec"].storageClassName).toBe("standard");
    expect(validateAgainst("v1.VirtualMachine", vm)).toEqual(VALID);
    expect(vm["spec"].template.spec.volumes).toContainEqual({ name: "datadisk", persistentVolumeClaim: { claimName: "vmshift-cirros-data" } });
    // up.sh creates them, run.sh points the suite's storage scenarios at them, cases.ts moves the claim.
    expect(readFileSync(join(dir, "up.sh"), "utf8")).toContain('"$LANE_DIR/storage.yaml"');
    expect(readFileSync(join(dir, "run.sh"), "utf8")).toMatch(/VMSHIFT_KUBEVIRT_STORAGE_VM=.*vmshift-cirros-data[\s\S]*VMSHIFT_KUBEVIRT_TARGET_STORAGE=.*vmshift-local-b/);
  });

  it("policy case: two valid MigrationPolicies with identical selectors; the adapter's precedence picks the name KubeVirt's matchPolicy picks", () => {
    const policies = docs("policies.yaml");
    for (const p of policies) expect(validateAgainst("v1alpha1.MigrationPolicy", p)).toEqual(VALID);
    expect(policies[0]!["spec"].selectors).toEqual(policies[1]!["spec"].selectors);
    const vmb = docs("vms.yaml").find((v) => v["metadata"].name === "vmshift-cirros-b")!;
    const winner = matchPolicy(policies as never, vmb["spec"].template.metadata.labels, { "kubernetes.io/metadata.name": "default" });
    expect(winner?.metadata?.name).toBe("vmshift-case-aa");
    expect(readFileSync(join(dir, "cases.ts"), "utf8")).toContain('EXPECTED_POLICY = "vmshift-case-aa"');
  });

  it("cross-cluster case: the receiving namespace exists in the lane and is the one cases.ts migrates into", () => {
    const [ns] = docs("receiver.yaml");
    expect(ns).toEqual({ apiVersion: "v1", kind: "Namespace", metadata: { name: "vmshift-receiver" } });
    expect(readFileSync(join(dir, "cases.ts"), "utf8")).toContain('RECEIVER_NAMESPACE = "vmshift-receiver"');
    expect(readFileSync(join(dir, "up.sh"), "utf8")).toContain('"$LANE_DIR/receiver.yaml"');
  });

  it.skipIf(missing.length > 0)(`runs live: kind + KubeVirt v1.9.0, the suite and the feature cases${missing.length > 0 ? ` — skipped here: ${missing.join("; ")}` : ""}`, () => {
    const result = spawnSync("bash", [join(dir, "run.sh")], { env: { ...process.env, KIND_LANE_REQUIRED: "1" }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 90 * 60_000 });
    expect(result.stdout).toMatch(/PASS policy[\s\S]*PASS tuned[\s\S]*PASS storage[\s\S]*PASS cross-cluster/);
    expect(result.status).toBe(0);
  }, 90 * 60_000);
});
