/**
 * `vmshift plan move` refusals, before anything is asked of a platform, and a move plan handed to
 * the Restate engine. The plan it writes and `plan run` of it against real libvirt hosts are in
 * adapters-conformance/libvirt-lab/move-plan.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../../test-support/run-cli.ts";

const scratch = mkdtempSync(join(tmpdir(), "vmshift-plan-move-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const config = join(scratch, "config.yaml");
writeFileSync(config, "profiles:\n  a:\n    platform: libvirt\n    hosts: [{ id: a, uri: 'qemu+unix:///system?socket=/nonexistent/a' }]\n  sim:\n    platform: simulator\n  kv:\n    platform: kubevirt\n    kubeconfig: /nonexistent/kubeconfig\n  vc:\n    platform: vsphere\n    url: https://127.0.0.1:9/sdk\n    username: u\n    password: { env: VC_PASSWORD }\n");

describe("vmshift plan move", () => {
  it("refuses missing or bad flags and profiles that cannot be a move's source or target, before connecting (exit 2)", async () => {
    const cases: [string[], number, RegExp][] = [
      [["plan", "move", "web-*", "--from", "a", "--downtime-budget", "1000"], 2, /say where the VMs go: --to <profile>/],
      [["plan", "move", "web-*", "--from", "a", "--to", "a"], 2, /--downtime-budget <ms> is required .*or choose the mode: --warm, --mode cold\|warm/],
      [["plan", "move", "web-*", "--from", "a", "--to", "a", "--mode", "hot"], 2, /--mode hot: say cold or warm/],
      [["plan", "move", "web-*", "--from", "a", "--to", "a", "--warm", "--mode", "cold"], 2, /cold and warm contradict each other/],
      [["plan", "move", "web-*", "--from", "kv", "--to", "a", "--warm"], 2, /NOT_SUPPORTED.*profile kv is a kubevirt profile; moves support libvirt, vsphere, hyperv, nutanix sources/],
      [["plan", "move", "web-*", "--from", "a", "--to", "vc", "--warm"], 2, /NOT_SUPPORTED.*profile vc is a vsphere profile; moves support libvirt and kubevirt targets/],
      [["plan", "move", "web-*", "--from", "a", "--to", "kv", "--warm"], 2, /profile kv: a move into KubeVirt uploads disks through CDI's upload proxy: set uploadProxyUrl/],
      [["plan", "move", "web-*", "--from", "a", "--to", "kv", "--to-host", "x", "--warm"], 2, /--to-host picks a host of a libvirt profile; kv is a kubevirt profile/],
      [["plan", "move", "web-*", "--from", "a", "--to", "a", "--convert", "sometimes", "--warm"], 2, /--convert sometimes: say auto, always or never/],
      [["plan", "move", "--from", "a", "--to", "a", "--downtime-budget", "5"], 2, /usage: vmshift plan move <selector>/],
      [["plan", "move", ",", "--from", "a", "--to", "a", "--downtime-budget", "5"], 2, /the selector names no VM/],
      [["plan", "move", "web-*", "--from", "a", "--to", "a", "--downtime-budget=-5"], 2, /--downtime-budget must be a non-negative number/],
      [["plan", "move", "web-*", "--from", "a", "--to", "a", "--downtime-budget", "5", "--storage-map", "nodst"], 2, /storage/],
      [["plan", "move", "web-*", "--from", "sim", "--to", "a", "--downtime-budget", "5"], 2, /NOT_SUPPORTED.*simulator profile/],
    ];
    for (const [argv, code, message] of cases) {
      const r = await runCli([...argv, "--config", config], { env: { VC_PASSWORD: "pw" } });
      expect({ argv, code: r.code }).toEqual({ argv, code });
      expect(r.stderr, argv.join(" ")).toMatch(message);
    }
  });

  it("a move plan is refused by the Restate engine (no move runner there), before submitting", async () => {
    const plan = { kind: "move", adapter: "a → b", createdAt: new Date().toISOString(), subjectHostIds: [], skipped: [], hosts: [], freedHostIds: [], summary: "1 move", notes: [], stopOnFailure: false, limits: { maxInFlight: 1, perHost: {}, source: "caller" },
      migrations: [{ order: 0, vmId: "web-1", vmName: "web-1", mode: "cold", strategy: "cold", reservedBytes: 0, powerState: "running", reason: "cold", request: { vmId: "web-1", mode: "cold", requestId: "move-1" }, move: { from: "a", to: "a", mode: "cold", options: {} } }] };
    const file = join(scratch, "plan.json");
    writeFileSync(file, JSON.stringify(plan));
    const r = await runCli(["plan", "run", file, "--engine", "restate", "--restate", "http://127.0.0.1:9", "--config", config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/move plans run in this process only/);
  });
});
