/**
 * One exit code mapping: 2 when the CLI refuses what it was given (command line, config file,
 * profile) before a platform is asked anything; 1 for every error of the SDK or the platform,
 * whatever its code.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VmshiftError } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/command.ts";
import { EXIT } from "../src/io.ts";
import { exitForError } from "../src/main.ts";
import { runCli } from "../../../test-support/run-cli.ts";

const dir = mkdtempSync(join(tmpdir(), "vmshift-exit-"));
const config = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("exit codes", () => {
  it("configuration mistakes exit 2: unknown profile, invalid YAML, unknown platform, unknown target", async () => {
    const unknownProfile = await runCli(["vms", "--profile", "nope"]);
    expect(unknownProfile.code).toBe(EXIT.usage);
    expect(unknownProfile.stderr).toMatch(/no profile nope \(known: simulator, simulator-fast\)/);

    const badYaml = await runCli(["vms", "--config", config("bad.yaml", "profiles: [unclosed\n")]);
    expect(badYaml.code).toBe(EXIT.usage);
    expect(badYaml.stderr).toMatch(/is not valid YAML/);

    const unknownPlatform = await runCli(["vms", "--config", config("warp.yaml", "defaultProfile: w\nprofiles:\n  w:\n    platform: warpdrive\n")]);
    expect(unknownPlatform.code).toBe(EXIT.usage);
    expect(unknownPlatform.stderr).toMatch(/unknown platform warpdrive/);

    const unknownTarget = await runCli(["vms", "--profile", "target:no-such-target"]);
    expect(unknownTarget.code).toBe(EXIT.usage);
    expect(unknownTarget.stderr).toMatch(/no conformance target no-such-target/);
  });

  it("the platform refusing a request exits 1 whatever its code: a VM already on that host (INVALID_ARGUMENT), an unknown migration (NOT_FOUND)", async () => {
    const sameHost = await runCli(["migrate", "web-01", "--to", "host-1", "--profile", "simulator-fast"]);
    expect(sameHost.code).toBe(EXIT.error);
    expect(sameHost.stderr).toMatch(/\[simulator\] migration\.start web-01: INVALID_ARGUMENT: VM web-01 already runs on host-1/);
    const unknown = await runCli(["status", "mig-nope"]);
    expect(unknown.code).toBe(EXIT.error);
    expect(unknown.stderr).toMatch(/NOT_FOUND/);
  });

  it("a malformed flag is refused before anything is started", async () => {
    const { code, stderr } = await runCli(["migrate", "web-01", "--to", "host-2", "--timeout", "soon", "--profile", "simulator-fast"]);
    expect(code).toBe(EXIT.usage);
    expect(stderr).toMatch(/--timeout must be a non-negative number/);
    expect(stderr).not.toMatch(/started/);
  });

  it("exitForError: usage and the CLI's own configuration checks 2; the SDK's and platform's errors, missing capabilities and bugs 1", () => {
    expect(exitForError(new UsageError("bad flag"))).toBe(EXIT.usage);
    expect(exitForError(Object.assign(new TypeError("Unknown option '--x'"), { code: "ERR_PARSE_ARGS_UNKNOWN_OPTION" }))).toBe(EXIT.usage);
    expect(exitForError(new VmshiftError("NOT_FOUND", "no profile x", { operation: "cli.profile" }))).toBe(EXIT.usage);
    expect(exitForError(new VmshiftError("NOT_SUPPORTED", "unknown platform x", { operation: "cli.connect" }))).toBe(EXIT.usage);
    expect(exitForError(new VmshiftError("CAPABILITY_UNAVAILABLE", "target cannot run here", { operation: "cli.connect" }))).toBe(EXIT.error);
    expect(exitForError(new VmshiftError("INVALID_ARGUMENT", "already runs on host-1", { adapter: "simulator", operation: "migration.start" }))).toBe(EXIT.error);
    expect(exitForError(new VmshiftError("INVALID_ARGUMENT", "bad request id", { operation: "migration.start" }))).toBe(EXIT.error);
    expect(exitForError(new Error("bug"))).toBe(EXIT.error);
  });
});
