/**
 * A kubevirt profile as a move target: `transferImage` (and `transferAddress`) reach the KubeVirt
 * target's warm transfer pod options. Without `transferImage` the target's warm preflight fails with
 * `kubevirt.transferImage`; a value that is no image reference or no host is refused when the
 * target is built. No cluster is contacted (the checks below need no request).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MappedDefinition } from "@vmshift/move";
import { afterAll, describe, expect, it } from "vitest";
import { targetSide } from "../src/commands/move-sides.ts";

const dir = mkdtempSync(join(tmpdir(), "vmshift-move-sides-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const kubeconfig = join(dir, "kubeconfig");
writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1'}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n");

const profile = (extra: Record<string, unknown>) => ({ name: "ocp", platform: "kubevirt", settings: { kubeconfig, uploadProxyUrl: "https://cdi-uploadproxy.example", ...extra }, secrets: [] });
/** A target name that is no object name: checkWarm answers without asking the cluster once it knows the transfer image. */
const offline = { definition: { targetName: "Not A Name" } as unknown as MappedDefinition };
const signal = new AbortController().signal;

describe("vmshift move into a kubevirt profile: the warm transfer pod settings", () => {
  it("without transferImage a warm move fails its target preflight naming the setting", async () => {
    const { target } = await targetSide(profile({}), undefined);
    const checks = await target.checkWarm!(offline, { signal });
    expect(checks).toEqual([expect.objectContaining({ id: "kubevirt.transferImage", severity: "error", message: expect.stringContaining("transferImage") })]);
  });

  it("with transferImage the target takes warm moves", async () => {
    const { target } = await targetSide(profile({ transferImage: "registry.example/qemu-nbd:10.0", transferAddress: "127.0.0.1" }), undefined);
    expect(await target.checkWarm!(offline, { signal })).toEqual([]);
  });

  it("refuses a transferImage or transferAddress that cannot be one", async () => {
    await expect(targetSide(profile({ transferImage: "two words" }), undefined)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(targetSide(profile({ transferImage: "img:1", transferAddress: "host/../x" }), undefined)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});
