/** Starts a simulated platform in its own process (platform-process.ts) and reads its side of the story. */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { MigrationPhase } from "@vmshift/core";
import type { SimInventory, SimTiming } from "@vmshift/simulator";
import { stringify } from "yaml";
import { workspaceNodeArgs } from "./node.ts";

/** What the platform process builds. */
export interface PlatformSpec {
  readonly inventory: SimInventory;
  readonly timing?: SimTiming;
  readonly seed?: number;
  readonly token: string;
  readonly faults?: readonly (
    | { readonly kind: "failAtPhase"; readonly vmId: string; readonly phase: MigrationPhase }
    | { readonly kind: "neverConverge"; readonly vmId: string }
    | { readonly kind: "refuseTarget"; readonly hostId: string }
  )[];
}

/** The platform's own records. */
export interface PlatformStats {
  /** Migrations created per VM (a retried start with the same request id is not a new one). */
  readonly migrations: Readonly<Record<string, number>>;
  /** Last result per VM. */
  readonly outcomes: Readonly<Record<string, string>>;
  /** Migrations not yet terminal. */
  readonly active: number;
  readonly requests: number;
  readonly vms: Readonly<Record<string, { readonly hostId: string; readonly powerState: string }>>;
  /** Most migrations in flight at once per host: out, in, both. */
  readonly peaks: Readonly<Record<string, { readonly out: number; readonly in: number; readonly total: number }>>;
}

/** A running platform process. */
export interface Platform {
  readonly url: string;
  readonly token: string;
  /** A vmshift config file whose profile `sim` reaches this platform (for workers and the CLI). */
  readonly configFile: string;
  stats(): Promise<PlatformStats>;
  close(): Promise<void>;
}

const SCRIPT = new URL("./platform-process.ts", import.meta.url).pathname;

/** Starts the platform; `dir` receives its config file (mode 0600). */
export async function startPlatform(spec: Omit<PlatformSpec, "token">, dir: string, profile = "sim"): Promise<Platform> {
  const token = randomBytes(18).toString("base64url");
  const specFile = join(dir, `platform-${profile}.spec.json`);
  writeFileSync(specFile, JSON.stringify({ ...spec, token }), { mode: 0o600 });
  const child = spawn(process.execPath, [...workspaceNodeArgs(), SCRIPT, specFile], { stdio: ["ignore", "pipe", "inherit"] });
  const ready = await new Promise<{ url: string; statsUrl: string }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => resolve(JSON.parse(line) as { url: string; statsUrl: string }));
    child.once("exit", (code) => reject(new Error(`the platform process exited (${code}) before it was ready`)));
  });
  const configFile = join(dir, `platform-${profile}.yaml`);
  const tokenFile = join(dir, `platform-${profile}.token`);
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  writeFileSync(configFile, stringify({ defaultProfile: profile, profiles: { [profile]: { platform: "simulator", url: ready.url, token: { file: tokenFile } } } }), { mode: 0o600 });
  return {
    url: ready.url,
    token,
    configFile,
    async stats() {
      const r = await fetch(`${ready.statsUrl}/stats`);
      return (await r.json()) as PlatformStats;
    },
    async close() {
      if (child.exitCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      await gone;
    },
  };
}
