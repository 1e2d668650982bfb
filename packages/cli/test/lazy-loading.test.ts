/**
 * What a command loads: the CLI process is started with a module recorder, and each command may
 * load only what it needs — no adapter before a profile of its platform is used, no conformance
 * suite, nock or repository environment outside `vmshift conformance` and `target:` profiles.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../src/bin.ts", import.meta.url));
const RECORDER = fileURLToPath(new URL("./fixtures/record-modules.mjs", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "vmshift-modules-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The modules `vmshift <args>` loaded, as URLs. */
function modulesLoadedBy(args: string[], env: Record<string, string> = {}): string[] {
  const log = join(scratch, `${args.join("_").replace(/\W/g, "")}.log`);
  const r = spawnSync(process.execPath, ["--import", RECORDER, BIN, ...args], {
    encoding: "utf8",
    env: { ...withoutVmshiftSettings(process.env), HOME: scratch, XDG_CONFIG_HOME: scratch, VMSHIFT_MODULE_LOG: log, ...env },
    timeout: 120_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(log, "utf8").split("\n");
}

/** The environment without VMSHIFT_* settings (the workspace's target module, a config file). */
function withoutVmshiftSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith("VMSHIFT_")));
}

const ADAPTERS = ["simulator", "kubevirt", "vsphere", "nutanix", "hyperv", "libvirt"] as const;
const adapterPattern = (name: string) => new RegExp(`/packages/${name}/|/@vmshift/${name}/`);
const TEST_INFRASTRUCTURE = [/\/nock\//, /adapters-conformance\//, /@vmshift\/conformance\//];

describe("the CLI loads only what a command needs", () => {
  it("--help loads no adapter and no test infrastructure", () => {
    const loaded = modulesLoadedBy(["--help"]);
    expect(loaded.some((u) => u.includes("/packages/cli/"))).toBe(true); // the recorder saw the CLI itself
    for (const name of ADAPTERS) expect(loaded.filter((u) => adapterPattern(name).test(u)), name).toEqual([]);
    for (const pattern of TEST_INFRASTRUCTURE) expect(loaded.filter((u) => pattern.test(u)), String(pattern)).toEqual([]);
  });

  it("vms on the simulator profile loads the simulator and no other adapter, no test infrastructure", () => {
    const loaded = modulesLoadedBy(["vms", "--json"]);
    expect(loaded.some((u) => adapterPattern("simulator").test(u))).toBe(true);
    for (const name of ADAPTERS.filter((a) => a !== "simulator")) expect(loaded.filter((u) => adapterPattern(name).test(u)), name).toEqual([]);
    for (const pattern of TEST_INFRASTRUCTURE) expect(loaded.filter((u) => pattern.test(u)), String(pattern)).toEqual([]);
    // The configuration's YAML goes through js-yaml: the `yaml` package costs every command 8–11 MiB of RSS.
    expect(loaded.filter((u) => /\/node_modules\/(\.pnpm\/yaml@[^/]+\/node_modules\/)?yaml\//.test(u))).toEqual([]);
  });

  it("conformance --list loads the suite (the command that asks for it)", () => {
    const loaded = modulesLoadedBy(["conformance", "--list"]);
    expect(loaded.some((u) => /adapters-conformance\/src\//.test(u))).toBe(true);
    expect(loaded.filter((u) => /\/nock\//.test(u))).toEqual([]); // the published suite needs no nock
  });
});
