/**
 * vSphere export leases for real, without a target: the project's vcsim launcher with
 * `-esxi-nfc`, whose ExportVm device URLs name an "ESXi host" (`https://localhost:PORT/nfc/…`, a
 * second listener with its own self-signed certificate and its SHA-1 `sslThumbprint`) as a real
 * vCenter's do, a stopped VM with two disks whose backing files are real VMDKs, and
 * `createVsphereMoveApi` under `vsphereMoveSource` (connected to `https://127.0.0.1:PORT`, the
 * profile's CA being vCenter's certificate only). Proves: one ExportVm lease for both disks, the
 * bytes staged equal the datastore files, the vCenter session cookie never reaches the ESXi host,
 * and a wrong or absent thumbprint is refused with an error naming the host, nothing staged.
 *
 * Needs .cache/vcsim/vmshift-vcsim (.ci/setup.d/30-vsphere.sh) and qemu-img; under CI=true a missing
 * piece is a failure, not a skip.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { isVmshiftError } from "@vmshift/core";
import { type VmDefinition, vsphereMoveSource } from "@vmshift/move";
import { type VsphereMoveApi, createVsphereMoveApi } from "@vmshift/vsphere";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { qemuImgMissing } from "../../test-support/disk-hash.ts";
import { type Vcsim, startVcsim, vcsimMissing } from "../targets/vsphere-launcher.ts";

const why = vcsimMissing() ?? qemuImgMissing();
if (why && process.env["CI"] === "true") throw new Error(why);

const ctx = () => ({ signal: AbortSignal.timeout(30_000) });
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : v && typeof v === "object" && "$value" in v ? text((v as { $value: unknown }).$value) : undefined);

interface EsxiNfc {
  host: string;
  thumbprint: string;
  requests: number;
  withCookie: number;
}

describe.skipIf(why !== undefined)("vSphere export leases: one lease per VM, device URLs on an ESXi host", { timeout: 60_000 }, () => {
  let sim: Vcsim;
  let api: VsphereMoveApi;
  let vmId: string;
  let definition: VmDefinition;
  let staging: string;
  const files = new Map<string, string>(); // disk key → datastore file
  const seeds = new Map<string, Buffer>(); // disk key → its VMDK's bytes

  async function methods(): Promise<Record<string, number>> {
    return ((await sim.query("request-log")) as { methods: Record<string, number> }).methods;
  }
  const esxi = async () => (await sim.query("esxi-nfc")) as EsxiNfc;

  beforeAll(async () => {
    sim = await startVcsim(["-vm", "1", "-cluster", "1", "-host", "1", "-standalone-host", "1", "-maintenance-host", "0", "-full-host", "0", "-esxi-nfc"]);
    // The CA, not the thumbprint: the vCenter's certificate only, which does not vouch for the "ESXi host".
    api = createVsphereMoveApi({ url: sim.url, username: "u", password: `pw-${crypto.randomUUID()}`, ca: sim.caPem, pollMs: 50 });
    for (let n = 1; n <= 200 && !vmId; n++) {
      const p = await api.properties({ type: "VirtualMachine", value: `vm-${n}` }, ["name"]).catch(() => undefined);
      if (text(p?.["name"]) === "DC0_H0_VM0") vmId = `vm-${n}`;
    }
    const source = vsphereMoveSource({ api, pollMs: 50 });
    await source.stop(vmId, { shutdownTimeoutMs: 100 }, ctx());
    await sim.control("add-disk", { vm: vmId, bytes: String(2 * 2 ** 20) });
    definition = await source.readDefinition(vmId, ctx());
    const props = await api.properties({ type: "VirtualMachine", value: vmId }, ["datastore"]);
    const dsRef = text([((props["datastore"] ?? {}) as { ManagedObjectReference?: unknown }).ManagedObjectReference].flat()[0])!;
    const dsUrl = text((await api.properties({ type: "Datastore", value: dsRef }, ["summary.url"]))["summary.url"])!.replace(/^ds:\/\//, "");
    const work = mkdtempSync(join(tmpdir(), "vmshift-esxi-nfc-seed-"));
    for (const [i, disk] of definition.disks.filter((d) => d.device === "disk").entries()) {
      const path = join(dsUrl, disk.native!["fileName"]!.replace(/^\[[^\]]+\]\s*/, ""));
      const raw = Buffer.alloc(disk.sizeBytes);
      raw.write(`vmshift-esxi-disk-${i}`, 4096 * (i + 1), "utf8");
      writeFileSync(join(work, "seed.raw"), raw);
      mkdirSync(dirname(path), { recursive: true });
      rmSync(path, { force: true });
      const r = spawnSync("qemu-img", ["convert", "-f", "raw", "-O", "vmdk", join(work, "seed.raw"), path], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(r.stderr);
      files.set(disk.key, path);
      seeds.set(disk.key, readFileSync(path));
    }
    rmSync(work, { recursive: true, force: true });
    staging = mkdtempSync(join(tmpdir(), "vmshift-esxi-nfc-staging-"));
  });
  afterAll(async () => {
    await api?.close().catch(() => {});
    await sim?.stop();
    if (staging) rmSync(staging, { recursive: true, force: true });
  });

  it("reads both disks of a two-disk VM through one ExportVm lease from the ESXi host's URLs, byte for byte, never sending the cookie there", async () => {
    const disks = definition.disks.filter((d) => d.device === "disk");
    expect(disks).toHaveLength(2);
    const before = await methods();
    const nfcBefore = await esxi();
    expect(nfcBefore.host).toMatch(/^localhost:\d+$/);
    expect(sim.url).toContain("//127.0.0.1:"); // another host name than the one the session is on
    const source = vsphereMoveSource({ api, stagingDir: staging, pollMs: 50 });
    for (const disk of disks) {
      const reader = await source.openDisk(definition, disk, ctx());
      expect(readFileSync(reader.location).equals(seeds.get(disk.key)!)).toBe(true);
      await reader.close();
    }
    const after = await methods();
    expect((after["ExportVm"] ?? 0) - (before["ExportVm"] ?? 0)).toBe(1);
    expect((after["HttpNfcLeaseComplete"] ?? 0) - (before["HttpNfcLeaseComplete"] ?? 0)).toBe(1);
    expect((after["HttpNfcLeaseAbort"] ?? 0) - (before["HttpNfcLeaseAbort"] ?? 0)).toBe(0);
    const nfc = await esxi();
    expect(nfc.requests - nfcBefore.requests).toBe(2);
    expect(nfc.withCookie).toBe(0);
    expect(readdirSync(staging)).toEqual([]);
  });

  for (const [name, advertised, expected] of [
    ["a wrong sslThumbprint", "AB:".repeat(19) + "AB", /SHA-1 thumbprint [0-9A-F:]{59}, not AB:AB:/],
    ["no sslThumbprint (and a host the profile's CA does not trust)", "", /no sslThumbprint and the profile's CA does not trust ESXi host/],
  ] as const) {
    it(`refuses the ESXi host's device URL with ${name}: an error naming the host, the lease aborted, nothing staged`, async () => {
      const disk = definition.disks.find((d) => d.device === "disk")!;
      await sim.control("esxi-nfc", { thumbprint: advertised });
      try {
        const before = await methods();
        const nfcBefore = await esxi();
        const error = await vsphereMoveSource({ api, stagingDir: staging, pollMs: 50 }).openDisk(definition, disk, ctx()).catch((e: unknown) => e);
        expect(isVmshiftError(error)).toBe(true);
        expect((error as Error).message).toContain(nfcBefore.host);
        expect((error as Error).message).toMatch(expected);
        expect((error as Error).message).not.toMatch(/\/nfc\/[0-9a-f]{32}/); // the ticket is the download's authorization
        expect(readdirSync(staging)).toEqual([]);
        const after = await methods();
        expect((after["HttpNfcLeaseAbort"] ?? 0) - (before["HttpNfcLeaseAbort"] ?? 0)).toBe(1);
        expect((await esxi()).requests).toBe(nfcBefore.requests); // refused at the handshake: no request sent
      } finally {
        await sim.control("esxi-nfc", { thumbprint: "real" });
      }
    });
  }
});
