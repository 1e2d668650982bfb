/**
 * Test support: libvirt's real spawn runner pointed at a stand-in `virsh` that prints the argv it
 * received (NUL-separated, each argument quoted by the script), and a canary file that any value
 * run as a shell command would create.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnVirshRunner } from "@vmshift/libvirt";

/** The stand-in, its canary and a way to see what argv reached it. */
export function echoArgvRunner(): { canary: string; argvSeenBy(argv: readonly string[]): Promise<string[]>; canaryExists(): boolean; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "vmshift-argv-"));
  const program = join(dir, "virsh");
  writeFileSync(program, "#!/bin/sh\nprintf '%s\\0' \"$@\"\n", { mode: 0o755 });
  const runner = spawnVirshRunner({ binary: program });
  const canary = join(dir, "canary");
  return {
    canary,
    async argvSeenBy(argv) {
      const result = await runner.run(argv);
      if (result.code !== 0) throw new Error(`stand-in virsh failed: ${result.stderr}`);
      return result.stdout.split("\0").slice(0, -1);
    },
    canaryExists: () => existsSync(canary),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
