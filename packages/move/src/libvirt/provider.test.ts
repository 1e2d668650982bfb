/**
 * The libvirt source and target against a scripted runner: the virsh argv they send and how they
 * read the answers (outputs shaped like virsh 11.3's, written for this test). The same code runs
 * against real daemons in adapters-conformance/libvirt-lab/move.test.ts.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CommandRunner, ExecResult } from "../exec.ts";
import { applyMaps } from "../mapping.ts";
import { libvirtMoveSource, libvirtMoveTarget } from "./provider.ts";

const XML = readFileSync(new URL("../../test/fixtures/libvirt/web-01.xml", import.meta.url), "utf8");
const ctx = { signal: new AbortController().signal };

/** Answers by the first argv words after `-q -c <uri>`; records every call. */
function scripted(answers: Record<string, Partial<ExecResult> | ((argv: readonly string[]) => Partial<ExecResult>)>): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async run(file, argv) {
      const args = file === "virsh" ? argv.slice(3) : [file, ...argv];
      calls.push(args.join(" "));
      const key = Object.keys(answers).find((k) => args.join(" ").startsWith(k));
      const a = key === undefined ? { code: 1, stderr: `error: unscripted ${args.join(" ")}` } : typeof answers[key] === "function" ? (answers[key] as (a: readonly string[]) => Partial<ExecResult>)(args) : answers[key]!;
      return { code: 0, stdout: "", stderr: "", ...a } as ExecResult;
    },
  };
}

describe("libvirt move source", () => {
  it("reads the definition: XML, sizes from domblkinfo, pools, snapshots, power state", async () => {
    const runner = scripted({
      "dumpxml --inactive --domain web-01": { stdout: XML },
      "domblkinfo --domain web-01 --device vda": { stdout: "Capacity:       10737418240\nAllocation:     1000\nPhysical:       2000\n" },
      "domblkinfo --domain web-01 --device vdc": { stdout: "Capacity:       1073741824\n" },
      "domblkinfo": { stdout: "Capacity:       4096\n" },
      "vol-pool /var/lib/libvirt/images/web-01.qcow2": { stdout: "default\n" },
      "vol-pool": { code: 1, stderr: "error: failed to get vol" },
      "snapshot-list --domain web-01 --name": { stdout: "before-upgrade\nnightly\n" },
      "domstate --domain web-01": { stdout: "running\n" },
    });
    const def = await libvirtMoveSource({ uri: "qemu:///system", runner }).readDefinition("web-01", ctx);
    expect(def.disks.map((d) => [d.key, d.sizeBytes, d.storage])).toEqual([
      ["vda", 10737418240, "default"],
      ["vdb", 4096, "block:/dev/mapper/san-lun7"],
      ["sda", 4096, "dir:/srv/shared"],
      ["sdb", 0, ""],
      ["vdc", 1073741824, "fast"],
    ]);
    expect(def).toMatchObject({ snapshotCount: 2, powerState: "running", cpus: 2 });
  });

  it("stops gracefully, then forces after the timeout", async () => {
    let destroyed = false;
    const runner = scripted({ "domstate": () => ({ stdout: destroyed ? "shut off\n" : "running\n" }), "shutdown": {}, "destroy": () => ((destroyed = true), {}) });
    await libvirtMoveSource({ uri: "qemu:///system", runner, pollMs: 5 }).stop("vm", { shutdownTimeoutMs: 30 }, ctx);
    expect(runner.calls[1]).toBe("shutdown --domain vm");
    expect(runner.calls.filter((c) => c.startsWith("domstate")).length).toBeGreaterThan(2);
    expect(runner.calls.at(-1)).toBe("destroy --domain vm");
  });

  it("refuses to open a disk of a running VM", async () => {
    const runner = scripted({ "domstate": { stdout: "running\n" } });
    const source = libvirtMoveSource({ uri: "qemu:///system", runner });
    await expect(source.openDisk({ id: "vm", name: "vm" } as never, { key: "vda", native: { type: "file", source: "/x" }, format: "raw" } as never, ctx)).rejects.toThrow(/INVALID_STATE.*only be read while the VM is stopped/);
  });
});

describe("libvirt move target", () => {
  const def = applyMaps(
    { id: "web-01", name: "web-01", cpus: 1, memoryBytes: 1024 ** 3, firmware: { kind: "bios" }, snapshotCount: 0, powerState: "stopped", disks: [{ key: "vda", sizeBytes: 4096, format: "qcow2", bus: "virtio", storage: "default", device: "disk" }], nics: [{ key: "net0", network: "prod", mac: "52:54:00:00:00:01" }] },
    { networkMap: { prod: "prod-b" }, storageMap: { default: { storage: "fast", format: "raw" } } },
  );

  it("checks name, pool state and space, network", async () => {
    const runner = scripted({
      "domstate --domain web-01": { stdout: "shut off\n" },
      "pool-info --pool fast --bytes": { stdout: "Name:           fast\nState:          running\nCapacity:       100000\nAllocation:     99000\nAvailable:      1000\n" },
      "net-info --network prod-b": { code: 1, stderr: "error: failed to get network 'prod-b'" },
    });
    const checks = await libvirtMoveTarget({ uri: "qemu:///system", runner }).check({ definition: def }, ctx);
    expect(checks.map((c) => `${c.id}:${c.subject}`)).toEqual(["target.nameTaken:web-01", "target.insufficientSpace:fast", "target.networkMissing:prod-b"]);
  });

  it("an inactive pool is reported, a running one with room passes", async () => {
    const pool = (state: string) => scripted({ "domstate": { code: 1, stderr: "error: failed to get domain 'web-01'" }, "pool-info": { stdout: `State:          ${state}\nAvailable:      100000\n` }, "net-info": {} });
    expect((await libvirtMoveTarget({ uri: "u", runner: pool("inactive") }).check({ definition: def }, ctx)).map((c) => c.id)).toEqual(["target.storageMissing"]);
    expect(await libvirtMoveTarget({ uri: "u", runner: pool("running") }).check({ definition: def }, ctx)).toEqual([]);
  });

  it("reserves: a volume in the mapped pool and format, then defines; a failed define deletes the volume", async () => {
    const runner = scripted({ "vol-create-as": {}, "vol-path": { stdout: "/pools/fast/web-01-vda.img\n" }, "define": { code: 1, stderr: "error: operation failed: domain 'web-01' already exists" }, "vol-delete": {} });
    await expect(libvirtMoveTarget({ uri: "u", runner, domainType: "qemu" }).reserve(def, ctx)).rejects.toThrow(/already exists/);
    expect(runner.calls[0]).toBe("vol-create-as --pool fast --name web-01-vda.img --capacity 4096b --format raw");
    expect(runner.calls.at(-1)).toBe("vol-delete --pool fast --vol web-01-vda.img");
  });
});
