/** The kind lane's scripts pass shellcheck, refuse clearly where there is no Docker engine, and ship valid manifests. */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { validateAgainst } from "../kubevirt-env/schema.ts";

const dir = fileURLToPath(new URL(".", import.meta.url));
const scripts = readdirSync(dir).filter((f) => f.endsWith(".sh"));
const hasShellcheck = spawnSync("shellcheck", ["--version"]).status === 0;

describe("kubevirt-kind lane", () => {
  it("has its scripts", () => {
    expect(scripts.sort()).toEqual(["down.sh", "lib.sh", "run.sh", "up.sh"]);
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
    const vms = parseAllDocuments(readFileSync(join(dir, "vms.yaml"), "utf8")).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
    expect(vms.map((v) => v.metadata.name)).toEqual(["vmshift-cirros-a", "vmshift-cirros-b"]);
    for (const vm of vms) expect(validateAgainst("v1.VirtualMachine", vm)).toEqual({ causes: [], unknown: [] });
    const cr = parseAllDocuments(readFileSync(join(dir, "kubevirt-cr.yaml"), "utf8"))[0]!.toJS();
    expect(validateAgainst("v1.KubeVirt", cr)).toEqual({ causes: [], unknown: [] });
    const kind = parseAllDocuments(readFileSync(join(dir, "kind-config.yaml"), "utf8"))[0]!.toJS() as { nodes: { role: string }[] };
    expect(kind.nodes.map((n) => n.role)).toEqual(["control-plane", "worker", "worker"]);
  });
});
