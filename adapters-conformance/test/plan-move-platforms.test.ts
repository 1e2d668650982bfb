/**
 * `vmshift plan move` + `vmshift plan run` from a platform source that names VMs by id, not by
 * name: the Prism-like server (nutanix-server) with three VMs holding real raw disks, two of them
 * selected by a name pattern; the plan's steps must carry each VM's extId (what the Nutanix mover
 * reads) with its name, and the maps as given; `plan run` moves them into kubevirt-env (CDI upload,
 * then a VirtualMachine) and, where the libvirt lab runs, into libvirt-local (host b). Each moved
 * disk's bytes are compared with the source's file; the VM left out stays running and untouched.
 *
 * The targets are the move suite's sides (their own readers, not the mover's); with CI=true a side
 * that cannot run is a failure, not a skip.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FleetPlan, FleetReport } from "@vmshift/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../test-support/run-cli.ts";
import { DST_POOL } from "../libvirt-lab/move-lab.ts";
import { DEFAULT_CONTAINER, type PrismServer, startPrismServer } from "../prism-server/src/index.ts";
import type { MoveTargetSide, TargetSession } from "../src/move/side.ts";
import { findMoveSide } from "../src/move/sides.ts";

const SUBNET = "5b000000-0000-4000-8000-000000000001";
const DISK_BYTES = 4 * 1024 * 1024;
const PASSWORD = `pw-${crypto.randomUUID()}`;
/** Seeded in this order, so the ids (…0200, …0201, …0202) do not sort as the names do. */
const SEEDED = ["pm-web-2", "pm-db-1", "pm-web-1"] as const;

/** A raw disk per VM: its name at offset 0, a pattern after it. */
function diskImage(dir: string, name: string): string {
  const raw = Buffer.alloc(DISK_BYTES);
  raw.write(`vmshift-plan-move ${name}`, 0, "utf8");
  for (let off = 64 * 1024; off + 4 <= DISK_BYTES; off += 64 * 1024) raw.writeUInt32LE((off * 2654435761 + name.length) >>> 0, off);
  const file = join(dir, `${name}.img`);
  writeFileSync(file, raw);
  return file;
}

interface Lab {
  readonly server: PrismServer;
  readonly target: TargetSession;
  readonly config: string;
  readonly dir: string;
  /** extId and sha256 of the disk, by VM name, read from the server's own inventory and files. */
  readonly vms: ReadonlyMap<string, { readonly extId: string; readonly hash: string }>;
}


/** The server with the three VMs, an open target session, and a config naming both (`nx`, `dst`). */
async function start(side: MoveTargetSide): Promise<Lab> {
  const dir = mkdtempSync(join(tmpdir(), "vmshift-plan-move-nx-"));
  const server = await startPrismServer({
    password: PASSWORD, imageMs: 50, timings: { queuedMs: 0, powerMs: 50, shutdownMs: 50 },
    seed: { extraVms: 0, vmsWithDisks: SEEDED.map((name, i) => ({ name, powerState: "ON" as const, memorySizeBytes: 64 * 2 ** 20, disks: [{ image: diskImage(dir, name) }], nics: [{ subnetExtId: SUBNET, macAddress: `50:6b:8d:00:4e:0${i}` }] })) },
  });
  const target = await side.open();
  const vms = new Map<string, { extId: string; hash: string }>();
  for (const name of SEEDED) {
    const vm = server.inventory.vms.find((v) => v.name === name)!;
    vms.set(name, { extId: vm.extId, hash: createHash("sha256").update(readFileSync(vm.hardware!.disks[0]!.file!)).digest("hex") });
  }
  const config = join(dir, "config.yaml");
  // JSON is YAML; the password comes from the environment (a config file holds no secret).
  writeFileSync(config, JSON.stringify({ profiles: { nx: { platform: "nutanix", url: server.url, username: "admin", password: { env: "NX_PASSWORD" } }, dst: target.cliProfile!() } }), { mode: 0o600 });
  return { server, target, config, dir, vms };
}

/** Releases what {@link start} made (the target session first: it may hold the lab's lock). */
async function stop(lab: Lab | undefined): Promise<void> {
  if (!lab) return;
  try {
    await lab.target.close();
  } finally {
    await lab.server.close();
    rmSync(lab.dir, { recursive: true, force: true });
  }
}

const cli = (lab: Lab, argv: string[]) => runCli([...argv, "--config", lab.config], { env: { NX_PASSWORD: PASSWORD } });

function mapFlags(lab: Lab): string[] {
  const storage = lab.target.storageMap([DEFAULT_CONTAINER]);
  const network = lab.target.networkMap([SUBNET]);
  const s = storage[DEFAULT_CONTAINER]!;
  return [
    "--storage-map", `${DEFAULT_CONTAINER}=${typeof s === "string" ? s : `${s.storage}${s.format ? `:${s.format}` : ""}`}`,
    "--network-map", `${SUBNET}=${network[SUBNET]}`,
  ];
}

/** Plans `pm-web-*` from nx to dst, checks the steps, runs the plan, checks where every VM is and its bytes. */
async function planAndRun(lab: Lab, expected: Expected): Promise<void> {
  // --convert never: the disks hold no operating system for virt-v2v to convert.
  const flags = ["--from", "nx", "--to", "dst", ...mapFlags(lab), "--shutdown-timeout", "2000", "--convert", "never"];
  const text = await cli(lab, ["plan", "move", "pm-web-*", ...flags, "--downtime-budget", "60000"]);
  expect(text.code, text.stderr).toBe(0);
  // The reviewer sees each VM's name with its id.
  for (const name of ["pm-web-1", "pm-web-2"]) expect(text.stdout).toContain(`${name} (${lab.vms.get(name)!.extId})`);
  expect(text.stdout).not.toContain("pm-db-1");

  const planned = await cli(lab, ["plan", "move", "pm-web-*", ...flags, "--downtime-budget", "60000", "--json"]);
  expect(planned.code, planned.stderr).toBe(0);
  const plan = (JSON.parse(planned.stdout.trim()) as { plan: FleetPlan }).plan;
  expect(plan.migrations.map((m) => [m.vmName, m.vmId, m.request.vmId])).toEqual(["pm-web-1", "pm-web-2"].map((n) => [n, lab.vms.get(n)!.extId, lab.vms.get(n)!.extId]));
  for (const m of plan.migrations) {
    expect(m).toMatchObject({ sourceHostId: "nx", targetHostId: expected.targetHostId, move: { from: "nx", to: "dst", mode: "cold" } });
    // Exactly the maps given, and the target's host where it has several (a Nutanix source has no host to record).
    expect(m.move!.options).toEqual({ ...expected.options, shutdownTimeoutMs: 2000, convert: { mode: "never" } });
  }
  // Nutanix has no change tracking: warm is refused when asked, and the budget plans cold and says why.
  expect(plan.notes.join("\n")).toMatch(/warm moves are not possible from nx to dst \(the nutanix source has no change tracking\)/);
  const warm = await cli(lab, ["plan", "move", "pm-web-*", ...flags, "--warm"]);
  expect(warm.code).toBe(2);
  expect(warm.stderr).toContain("warm moves from nx to dst are not possible: the nutanix source has no change tracking");
  for (const name of ["pm-web-1", "pm-web-2"]) expect(await lab.target.powerState(name)).toBe("missing"); // planning changed nothing

  const file = join(lab.dir, "plan.json");
  writeFileSync(file, planned.stdout);
  const run = await cli(lab, ["plan", "run", file, "--json"]);
  expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(0);
  const report = run.stdout.trim().split("\n").map((l) => JSON.parse(l) as { report?: FleetReport }).find((e) => e.report !== undefined)?.report;
  expect(report?.ok, JSON.stringify(report?.outcomes)).toBe(true);
  expect(report?.outcomes.map((o) => [o.vmId, o.status, o.vmLocation.side])).toEqual(plan.migrations.map((m) => [m.vmId, "completed", "target"]));
  for (const name of ["pm-web-1", "pm-web-2"]) {
    expect(await lab.target.powerState(name), name).toBe("running");
    expect(await lab.target.diskHashes(name, ["sda"]), name).toEqual({ sda: lab.vms.get(name)!.hash });
    expect(lab.server.inventory.vms.find((v) => v.name === name)!.powerState, name).toBe("OFF"); // kept, powered off
  }
  expect(lab.server.inventory.vms.find((v) => v.name === "pm-db-1")!.powerState).toBe("ON");
  expect(await lab.target.leftovers("pm-db-1")).toEqual([]);
}

/** What the steps must say for a target. */
interface Expected {
  readonly targetHostId: string;
  readonly options: Readonly<Record<string, unknown>>;
}

const TARGETS: readonly (readonly [string, Expected])[] = [
  ["kubevirt-env", { targetHostId: "dst/default", options: { networkMap: { [SUBNET]: "pod" }, storageMap: { [DEFAULT_CONTAINER]: { storage: "local-path" } } } }],
  ["libvirt-local", { targetHostId: "b", options: { toHost: "b", networkMap: { [SUBNET]: "user" }, storageMap: { [DEFAULT_CONTAINER]: { storage: DST_POOL, format: "raw" } } } }],
];

for (const [to, expected] of TARGETS) {
  const side = await findMoveSide(to)!.target!();
  const availability = await side.available();
  if (!availability.ok && process.env.CI === "true") throw new Error(`${to} must run in CI: ${availability.reason}`);
  describe.skipIf(!availability.ok)(`vmshift plan move --from <nutanix> --to <${to}>, then plan run`, () => {
    let lab: Lab | undefined;
    // Opening libvirt-local waits for the lab's lock while another test holds it: not the test's time.
    beforeAll(async () => {
      lab = await start(side);
    }, 5 * 60_000);
    afterAll(() => stop(lab), 120_000);

    it("selects by name through the source's listing, records extIds and the maps, moves the selected VMs byte for byte", async () => {
      await planAndRun(lab!, expected);
    }, 60_000);
  });
}
