/**
 * `vmshift move --warm / --cutover-at / --keep-source / --remove-source / --attach`: what the
 * command line refuses before any platform is asked (exit 2, a message naming the flag), and that
 * `--warm` is `--mode warm` (the result of a move whose source cannot be reached still says warm).
 * The moves these options drive run in the libvirt lab (adapters-conformance/test/move-attach.test.ts).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../src/io.ts";
import { runCli } from "../../../test-support/run-cli.ts";

const dir = mkdtempSync(join(tmpdir(), "vmshift-move-options-"));
const config = join(dir, "config.yaml");
writeFileSync(config, ["profiles:", "  one:", "    platform: libvirt", "    hosts: [{ id: h3, uri: 'qemu+unix:///system?socket=/nonexistent/3' }]", ""].join("\n"));
const move = (...args: string[]) => runCli(["move", ...args, "--config", config]);

describe("vmshift move options", () => {
  it("refuses a --cutover-at in the past, naming it and the time now", async () => {
    const r = await move("web-01", "--from", "one", "--to", "one", "--cutover-at", "2020-01-01T00:00:00Z");
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/--cutover-at 2020-01-01T00:00:00Z is in the past \(now \d{4}-/);
  });

  it("refuses a --cutover-at that is no ISO 8601 time", async () => {
    for (const bad of ["tomorrow", "22:00", "2026-13-45T00:00:00Z"]) {
      const r = await move("web-01", "--from", "one", "--to", "one", "--cutover-at", bad);
      expect(r.code, bad).toBe(EXIT.usage);
      expect(r.stderr).toContain(`--cutover-at ${bad}: not an ISO 8601 time`);
    }
  });

  it("refuses --keep-source with --remove-source, and --warm with --mode cold", async () => {
    const both = await move("web-01", "--from", "one", "--to", "one", "--keep-source", "--remove-source");
    expect(both.code).toBe(EXIT.usage);
    expect(both.stderr).toContain("--keep-source and --remove-source contradict each other");
    const modes = await move("web-01", "--from", "one", "--to", "one", "--warm", "--mode", "cold");
    expect(modes.code).toBe(EXIT.usage);
    expect(modes.stderr).toContain("--warm and --mode cold contradict each other");
  });

  it("--warm is --mode warm: the move (its source unreachable here) reports moveMode warm", async () => {
    const r = await move("web-01", "--from", "one", "--to", "one", "--warm", "--json", "--storage-map", "a=b");
    const last = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { outcome?: string; moveMode?: string };
    expect(last).toMatchObject({ outcome: "failed", moveMode: "warm" });
    const cold = await move("web-01", "--from", "one", "--to", "one", "--json", "--storage-map", "a=b");
    expect(JSON.parse(cold.stdout.trim().split("\n").at(-1)!)).toMatchObject({ outcome: "failed", moveMode: "cold" });
  });

  it("needs a VM or --attach; --attach takes a move id and no new-move options", async () => {
    const none = await move("--from", "one", "--to", "one");
    expect(none.code).toBe(EXIT.usage);
    expect(none.stderr).toContain("say which VM to move");
    const bad = await move("--attach", "abc", "--from", "one", "--to", "one");
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toContain("a move id starts with move-");
    const mixed = await move("--attach", "move-abc", "--from", "one", "--to", "one", "--warm");
    expect(mixed.code).toBe(EXIT.usage);
    expect(mixed.stderr).toContain("--attach continues a recorded move as it was started");
  });

  it("--attach takes --convert and --remove-source (checked against the move's record by the mover, not refused as usage)", async () => {
    for (const flags of [["--remove-source"], ["--keep-source"], ["--convert", "never"]]) {
      const r = await move("--attach", "move-abc", "--from", "one", "--to", "one", ...flags);
      // The libvirt host here cannot be reached: the attach gets as far as asking the target's journal.
      expect(r.code, flags.join(" ")).not.toBe(EXIT.usage);
      expect(r.stderr, flags.join(" ")).not.toContain("--attach continues a recorded move");
    }
    const bad = await move("--attach", "move-abc", "--from", "one", "--to", "one", "--convert", "sometimes");
    expect(bad.code).toBe(EXIT.usage);
  });

  it("--help says what --remove-source removes and what it keeps", async () => {
    const r = await runCli(["move", "--help"]);
    expect(r.stdout).toMatch(/--remove-source[\s\S]*its disks are kept/);
    expect(r.stdout).toContain("--cutover-at");
    expect(r.stdout).toContain("--attach");
  });
});
