/**
 * A kubevirt profile as a move target: `conversionImage` becomes the KubeVirt target's conversion
 * pod image (the target offers its own guest converter, named after the image); without it the
 * target has none (convert always fails the preflight, auto warns); a value that is no image
 * reference is refused when the target is built. No cluster is contacted.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { targetSide } from "../src/commands/move-sides.ts";

const dir = mkdtempSync(join(tmpdir(), "vmshift-move-sides-conv-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const kubeconfig = join(dir, "kubeconfig");
writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1'}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n");
const profile = (extra: Record<string, unknown>) => ({ name: "ocp", platform: "kubevirt", settings: { kubeconfig, uploadProxyUrl: "https://cdi-uploadproxy.example", ...extra }, secrets: [] });

describe("vmshift move into a kubevirt profile: the conversion pod's image", () => {
  it("conversionImage gives the target its conversion pod converter; without it there is none", async () => {
    const { target } = await targetSide(profile({ conversionImage: "registry.example/virt-v2v:2.2" }), undefined);
    expect(target.converter?.program).toBe("virt-v2v-in-place (conversion pod, image registry.example/virt-v2v:2.2)");
    expect(await target.converter!.probe({ signal: new AbortController().signal })).toEqual({ version: "from registry.example/virt-v2v:2.2" });
    expect((await targetSide(profile({}), undefined)).target.converter).toBeUndefined();
  });

  it("refuses a conversionImage that cannot be one", async () => {
    await expect(targetSide(profile({ conversionImage: "two words" }), undefined)).rejects.toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringContaining("conversion.image") });
  });
});
