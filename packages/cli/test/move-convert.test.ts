/**
 * `vmshift move --convert`: an unknown mode is refused before any platform is asked (exit 2, the
 * flag named), and `--help` lists it. What conversion does is tested in @vmshift/move
 * (packages/move/src/convert*.test.ts) and, with the real virt-v2v-in-place, in
 * adapters-conformance/libvirt-lab/virt-v2v-lane.sh.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../src/io.ts";
import { runCli } from "../../../test-support/run-cli.ts";

const dir = mkdtempSync(join(tmpdir(), "vmshift-move-convert-"));
const config = join(dir, "config.yaml");
writeFileSync(config, ["profiles:", "  one:", "    platform: libvirt", "    hosts: [{ id: h3, uri: 'qemu+unix:///system?socket=/nonexistent/3' }]", ""].join("\n"));

describe("vmshift move --convert", () => {
  it("refuses a mode that is not auto, always or never, naming it", async () => {
    const r = await runCli(["move", "web-01", "--from", "one", "--to", "one", "--convert", "sometimes", "--config", config]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain("--convert sometimes: say auto, always or never");
  });

  it("is in move's help with its modes", async () => {
    const r = await runCli(["move", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--convert <auto\|always\|never>[\s\S]*virt-v2v-in-place/);
  });
});
