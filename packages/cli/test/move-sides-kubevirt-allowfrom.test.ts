/**
 * A kubevirt profile's `transferAllowFrom` reaches the KubeVirt target's `transfer.allowFrom` (the
 * peers the warm transfer pod's NetworkPolicy admits); a malformed one is a usage error (exit 2)
 * naming the key, raised while the target is built, before any cluster is contacted. The only
 * double: a spy around `kubevirtMoveTarget` recording its options (the real target is still built).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { UsageError } from "../src/command.ts";
import { targetSide } from "../src/commands/move-sides.ts";

const seen = vi.hoisted(() => ({ options: [] as { transfer?: { allowFrom?: unknown } }[] }));
vi.mock("@vmshift/move", async (importOriginal) => {
  const real = await importOriginal<typeof import("@vmshift/move")>();
  return { ...real, kubevirtMoveTarget: (options: Parameters<typeof real.kubevirtMoveTarget>[0]) => (seen.options.push(options), real.kubevirtMoveTarget(options)) };
});

const dir = mkdtempSync(join(tmpdir(), "vmshift-move-sides-allow-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const kubeconfig = join(dir, "kubeconfig");
writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1'}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n");
const profile = (extra: Record<string, unknown>) => ({ name: "ocp", platform: "kubevirt", settings: { kubeconfig, uploadProxyUrl: "https://cdi-uploadproxy.example", transferImage: "registry.example/qemu-nbd:10.0", ...extra }, secrets: [] });

beforeEach(() => void (seen.options.length = 0));

describe("vmshift move into a kubevirt profile: transferAllowFrom", () => {
  it("passes podLabels, namespaces and cidrs to the target's transfer.allowFrom", async () => {
    const allow = { podLabels: { app: "mover" }, namespaces: ["ops"], cidrs: ["10.0.0.0/24"] };
    await targetSide(profile({ transferAllowFrom: allow }), undefined);
    expect(seen.options).toHaveLength(1);
    expect(seen.options[0]!.transfer?.allowFrom).toEqual(allow);
  });

  it("without it the target keeps its default (no allowFrom)", async () => {
    await targetSide(profile({}), undefined);
    expect(seen.options[0]!.transfer).toBeDefined();
    expect(seen.options[0]!.transfer!.allowFrom).toBeUndefined();
  });

  it.each([
    ["not a map", ["10.0.0.0/24"], "transferAllowFrom must be a map"],
    ["podLabels not a map", { podLabels: ["app=mover"] }, "transferAllowFrom.podLabels"],
    ["a label value not a string", { podLabels: { app: 1 } }, "transferAllowFrom.podLabels"],
    ["namespaces not a list", { namespaces: "ops" }, "transferAllowFrom.namespaces"],
    ["cidrs holding a number", { cidrs: [10] }, "transferAllowFrom.cidrs"],
    ["an unknown key", { pods: {} }, 'unknown key "pods"'],
    ["a label key the API refuses", { podLabels: { "bad key!": "x" } }, "transferAllowFrom: "],
    ["a namespace that is no name", { namespaces: ["Not_A_Name"] }, "transferAllowFrom: "],
    ["a CIDR that is none", { cidrs: ["10.0.0.0/99"] }, "transferAllowFrom: "],
  ])("refuses %s as a usage error naming the key", async (_what, value, message) => {
    const error = await targetSide(profile({ transferAllowFrom: value }), undefined).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(message);
  });

  it("refuses transferAllowFrom without transferImage", async () => {
    const error = await targetSide(profile({ transferImage: undefined, transferAllowFrom: { cidrs: ["10.0.0.0/24"] } }), undefined).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain("transferImage");
  });
});
