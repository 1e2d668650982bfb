/**
 * The attach scenario's restart: `vmshift move` runs as a child process against the two sides'
 * CLI profiles (written to a private config file) and is SIGKILLed a moment after its JSON output
 * reaches a phase, so a new process (the suite) must find the move from what the target recorded.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI_BIN } from "../../../test-support/cli-bin.ts";
import type { MoveScenarioContext } from "./scenarios.ts";
import type { SourceSession, TargetSession } from "./side.ts";

/** The heartbeat and lease of the killed move: its lease outlives the kill by at least 4.5 s. */
export const KILLED_MOVE_LEASE = { heartbeatMs: 500, leaseMs: 5000 } as const;

/** A `killMidMove` for two sides that both have a CLI profile; undefined otherwise. */
export function killMidMoveVia(source: SourceSession, target: TargetSession, options: { readonly killAfterMs?: number; readonly shutdownTimeoutMs?: number } = {}): MoveScenarioContext["killMidMove"] {
  if (!source.cliProfile || !target.cliProfile) return undefined;
  const fromProfile = source.cliProfile();
  const toProfile = target.cliProfile();
  return async ({ vm, requestId, phase }) => {
    const dir = mkdtempSync(join(tmpdir(), "vmshift-move-suite-"));
    try {
      // JSON is YAML: the config file holds the two profiles as they are.
      writeFileSync(join(dir, "config.yaml"), JSON.stringify({ profiles: { "move-from": fromProfile, "move-to": toProfile } }), { mode: 0o600 });
      const flags = (name: string, map: Readonly<Record<string, unknown>>) => Object.entries(map).flatMap(([k, v]) => [name, `${k}=${typeof v === "string" ? v : `${(v as { storage: string }).storage}${(v as { format?: string }).format ? `:${(v as { format?: string }).format}` : ""}`}`]);
      const argv = [
        "move", vm.vmId, "--from", "move-from", "--to", "move-to",
        ...flags("--storage-map", target.storageMap(vm.storages)), ...flags("--network-map", target.networkMap(vm.networks)),
        "--shutdown-timeout", String(options.shutdownTimeoutMs ?? 4000), "--request-id", requestId, "--json", "--config", join(dir, "config.yaml"),
        // A short lease, so that the suite sees it refuse an attach and then waits it out in seconds.
        "--heartbeat", String(KILLED_MOVE_LEASE.heartbeatMs), "--lease", String(KILLED_MOVE_LEASE.leaseMs),
      ];
      const lines = await runAndKill(argv, phase, options.killAfterMs ?? 1000, { XDG_CONFIG_HOME: join(dir, "xdg") });
      const id = lines.map((l) => /"migrationId":"(move-[^"]+)"/.exec(l)?.[1]).find((x) => x !== undefined);
      if (!id) throw new Error(`the killed move printed no move id: ${lines.join("\n").slice(-400)}`);
      return id;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/**
 * Runs `vmshift <argv>` (the workspace's executable) as a child process and SIGKILLs it `afterMs`
 * after its JSON output first shows `"phase":"<phase>"`; resolves with the lines it printed, rejects
 * when it ended on its own first.
 */
export function runAndKill(argv: readonly string[], phase: string, afterMs: number, env: Readonly<Record<string, string>> = {}): Promise<string[]> {
  const child = spawn(process.execPath, [CLI_BIN, ...argv], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  let buffer = "";
  let err = "";
  let armed = false;
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      buffer += d.toString();
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      for (const line of parts) {
        lines.push(line);
        if (!armed && line.includes(`"phase":"${phase}"`)) {
          armed = true;
          setTimeout(() => child.kill("SIGKILL"), afterMs);
        }
      }
    });
    child.on("exit", (code, signal) => (signal === "SIGKILL" ? resolve(lines) : reject(new Error(`the move process ended ${code ?? signal} before it was killed in ${phase}: ${lines.join("\n").slice(-600)} ${err.slice(-600)}`))));
  });
}
