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
        CLI_BIN, "move", vm.vmId, "--from", "move-from", "--to", "move-to",
        ...flags("--storage-map", target.storageMap(vm.storages)), ...flags("--network-map", target.networkMap(vm.networks)),
        "--shutdown-timeout", String(options.shutdownTimeoutMs ?? 4000), "--request-id", requestId, "--json", "--config", join(dir, "config.yaml"),
      ];
      const child = spawn(process.execPath, argv, { env: { ...process.env, XDG_CONFIG_HOME: join(dir, "xdg") }, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      let armed = false;
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      return await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          if (!armed && out.includes(`"phase":"${phase}"`)) {
            armed = true;
            setTimeout(() => child.kill("SIGKILL"), options.killAfterMs ?? 1000);
          }
        });
        child.on("exit", (code, signal) => {
          const id = /"migrationId":"(move-[^"]+)"/.exec(out)?.[1];
          if (signal === "SIGKILL" && id) resolve(id);
          else reject(new Error(`the move process ended ${code ?? signal} before it was killed in ${phase}: ${out.slice(-400)} ${err.slice(-400)}`));
        });
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
