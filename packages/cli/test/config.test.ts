/** Which config file the CLI reads: `--config`, else `$VMSHIFT_CONFIG` (both must exist), else the default path (may be absent). */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../src/io.ts";
import { runCli } from "../../../test-support/run-cli.ts";

const dir = mkdtempSync(join(tmpdir(), "vmshift-config-"));
/** A config whose default profile is refused on reading (an inline secret): proves the file was read. */
const INLINE = "defaultProfile: lab\nprofiles:\n  lab:\n    platform: vsphere\n    password: inline-pw\n";
/** A config whose default profile is the fast simulator under another name. */
const FAST = "defaultProfile: quick\nprofiles:\n  quick:\n    platform: simulator\n    clock: virtual\n";

describe("config file", () => {
  it("a $VMSHIFT_CONFIG file that does not exist is a usage error naming it, not the simulator", async () => {
    const { code, stdout, stderr } = await runCli(["vms"], { env: { VMSHIFT_CONFIG: "/nonexistent/named-by-env.yaml" } });
    expect(code).toBe(EXIT.usage);
    expect(stderr).toMatch(/config file \/nonexistent\/named-by-env\.yaml \(from \$VMSHIFT_CONFIG\) does not exist/);
    expect(stdout).toBe("");
  });

  it("a --config file that does not exist is a usage error naming it (relative to the working directory)", async () => {
    const { code, stdout, stderr } = await runCli(["vms", "--config", "no-such-vmshift-config.yaml"]);
    expect(code).toBe(EXIT.usage);
    expect(stderr).toContain(`config file ${join(process.cwd(), "no-such-vmshift-config.yaml")} (from --config) does not exist`);
    expect(stdout).toBe("");
  });

  it("an empty --config or $VMSHIFT_CONFIG is a usage error", async () => {
    const flag = await runCli(["vms", "--config", ""]);
    expect(flag.code).toBe(EXIT.usage);
    expect(flag.stderr).toMatch(/--config/);
    const env = await runCli(["vms"], { env: { VMSHIFT_CONFIG: "" } });
    expect(env.code).toBe(EXIT.usage);
    expect(env.stderr).toMatch(/\$VMSHIFT_CONFIG is empty/);
  });

  it("--config reads the named file and wins over $VMSHIFT_CONFIG", async () => {
    const path = join(dir, "fast.yaml");
    writeFileSync(path, FAST);
    const { code, stdout, stderr } = await runCli(["hosts", "--config", path], { env: { VMSHIFT_CONFIG: "/nonexistent/ignored.yaml" } });
    expect(code, stderr).toBe(EXIT.ok);
    expect(stdout).toMatch(/^host-1\s/m);
  });

  it("the default file may be absent (built-in simulator), and is read from $XDG_CONFIG_HOME when present", async () => {
    const absent = await runCli(["hosts"], { env: { XDG_CONFIG_HOME: join(dir, "no-such-dir") } });
    expect(absent.code, absent.stderr).toBe(EXIT.ok);
    const xdg = join(dir, "xdg");
    mkdirSync(join(xdg, "vmshift"), { recursive: true });
    writeFileSync(join(xdg, "vmshift", "config.yaml"), INLINE);
    const present = await runCli(["hosts"], { env: { XDG_CONFIG_HOME: xdg } });
    expect(present.code).toBe(EXIT.usage);
    expect(present.stderr).toMatch(/password is written inline/);
  });
});
