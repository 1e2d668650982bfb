/**
 * Connection profiles from a YAML file: platform, endpoint, options, and credentials taken from
 * environment variables or files — never inline. The simulator is a built-in profile.
 *
 * ```yaml
 * defaultProfile: lab
 * profiles:
 *   lab:
 *     platform: vsphere
 *     endpoint: https://vcenter.example/sdk
 *     username: { env: VSPHERE_USER }
 *     password: { file: ~/.secrets/vsphere }
 * ```
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { VmshiftError } from "@vmshift/core";
import { parseYaml } from "./yaml.ts";

/** A profile with its secrets resolved. `secrets` holds the values to mask in any output. */
export interface ResolvedProfile {
  readonly name: string;
  readonly platform: string;
  /** Every other key, with `{ env }` / `{ file }` references replaced by their values. */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly secrets: readonly string[];
}

const SECRET_KEYS = /^(password|token|apiKey|api_key|secret|clientKey|privateKey|credential)$/i;

/**
 * Built-in profiles: `simulator` (the default inventory, in real time) and `simulator-fast`
 * (the same on a virtual clock: migrations finish as fast as the CPU allows, for scripts and tests).
 */
export const BUILTIN_PROFILES: Readonly<Record<string, { platform: string; clock?: string }>> = {
  simulator: { platform: "simulator" },
  "simulator-fast": { platform: "simulator", clock: "virtual" },
};

/**
 * Platforms whose migrations run inside this process and end with it, and how to say so (a served
 * simulator, reached through `url`, lives in its own process and is not one of them). Every
 * other platform (kubevirt, vsphere, nutanix, hyperv, libvirt) runs migrations on the platform
 * itself: they go on after the CLI exits, and `vmshift attach <id>` follows them from anywhere.
 */
const IN_PROCESS: Readonly<Record<string, (profile: ResolvedProfile) => string | undefined>> = {
  simulator: (profile) => (profile.settings["url"] === undefined ? "the simulator's migrations live in this process" : undefined),
  target: (profile) => `conformance target ${String(profile.settings["target"])} runs in this process`,
};

/**
 * Why a migration started through `profile` cannot outlive this process (e.g. "the simulator's
 * migrations live in this process"), or undefined when it runs on the platform and can be
 * attached to again later.
 */
export function inProcessReason(profile: ResolvedProfile): string | undefined {
  return IN_PROCESS[profile.platform]?.(profile);
}

function expandHome(path: string, cwd: string): string {
  const p = path.startsWith("~/") ? join(homedir(), path.slice(2)) : path;
  return isAbsolute(p) ? p : join(cwd, p);
}

/** The config file to read, and whether it was named explicitly (then it must exist). */
export interface ConfigSource {
  /** Absolute path. */
  readonly path: string;
  /** `--config`, `$VMSHIFT_CONFIG`, or `default` (`$XDG_CONFIG_HOME/vmshift/config.yaml`, else `~/.config/vmshift/config.yaml`). */
  readonly from: "--config" | "$VMSHIFT_CONFIG" | "default";
}

/**
 * Where the config file is: `flag` (the value of `--config`), else `$VMSHIFT_CONFIG`, else
 * `$XDG_CONFIG_HOME/vmshift/config.yaml` (default `~/.config/vmshift/config.yaml`). Relative paths
 * are resolved against `cwd`; an empty value is a usage error, not "no file".
 */
export function configSource(env: Readonly<Record<string, string | undefined>>, cwd: string, flag?: string): ConfigSource {
  const named = flag !== undefined ? { value: flag, from: "--config" as const } : env["VMSHIFT_CONFIG"] !== undefined ? { value: env["VMSHIFT_CONFIG"], from: "$VMSHIFT_CONFIG" as const } : undefined;
  if (named) {
    if (named.value === "") throw new VmshiftError("INVALID_ARGUMENT", `${named.from} is empty: name a config file, or leave it out for the default one`, { operation: "cli.profile" });
    return { path: expandHome(named.value, cwd), from: named.from };
  }
  return { path: join(env["XDG_CONFIG_HOME"] || join(homedir(), ".config"), "vmshift", "config.yaml"), from: "default" };
}

/** Where the config file is: `$VMSHIFT_CONFIG`, else `~/.config/vmshift/config.yaml` (see {@link configSource}, which also takes `--config`). */
export function configPath(env: Readonly<Record<string, string | undefined>>): string {
  return configSource(env, process.cwd()).path;
}

/**
 * The config file's text; undefined only when the default file does not exist. A file named by
 * `--config` or `$VMSHIFT_CONFIG` must exist: a missing one is `NOT_FOUND` naming it (exit 2).
 */
function readConfig(source: ConfigSource): string | undefined {
  try {
    return readFileSync(source.path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (source.from === "default" && (code === "ENOENT" || code === "ENOTDIR")) return undefined;
    const missing = code === "ENOENT" || code === "ENOTDIR";
    throw new VmshiftError(missing ? "NOT_FOUND" : "INVALID_ARGUMENT", `config file ${source.path} (from ${source.from}) ${missing ? "does not exist" : `cannot be read: ${code ?? (error as Error).message}`}`, { operation: "cli.profile", cause: error });
  }
}

function resolveValue(key: string, value: unknown, env: Readonly<Record<string, string | undefined>>, cwd: string, secrets: string[], profile: string): unknown {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const ref = value as Record<string, unknown>;
    if (typeof ref["env"] === "string") {
      const v = env[ref["env"]];
      if (v === undefined) throw new VmshiftError("INVALID_ARGUMENT", `profile ${profile}: ${key} reads environment variable ${ref["env"]}, which is not set`, { operation: "cli.profile" });
      if (SECRET_KEYS.test(key)) secrets.push(v);
      return v;
    }
    if (typeof ref["file"] === "string") {
      let v: string;
      try {
        v = readFileSync(expandHome(ref["file"], cwd), "utf8").trim();
      } catch {
        throw new VmshiftError("INVALID_ARGUMENT", `profile ${profile}: ${key} reads file ${ref["file"]}, which cannot be read`, { operation: "cli.profile" });
      }
      if (SECRET_KEYS.test(key)) secrets.push(v);
      return v;
    }
    return Object.fromEntries(Object.entries(ref).map(([k, v]) => [k, resolveValue(k, v, env, cwd, secrets, profile)]));
  }
  if (SECRET_KEYS.test(key) && typeof value === "string") {
    throw new VmshiftError("INVALID_ARGUMENT", `profile ${profile}: ${key} is written inline; use { env: NAME } or { file: path } so secrets stay out of config files`, { operation: "cli.profile" });
  }
  return value;
}

/**
 * The name of profile `name`, else of the config's default profile, else `simulator`, without
 * resolving its settings or secrets: for commands that only name a profile to another process
 * (a wave's workers resolve it in their own configuration).
 */
export function profileName(name: string | undefined, env: Readonly<Record<string, string | undefined>>, cwd: string, options: LoadProfileOptions = {}): string {
  if (name !== undefined) return name;
  const source = configSource(env, cwd, options.configFile);
  const text = readConfig(source);
  let config: { defaultProfile?: unknown } = {};
  try {
    config = (text === undefined ? {} : (parseYaml(text) ?? {})) as typeof config;
  } catch (error) {
    throw new VmshiftError("INVALID_ARGUMENT", `config ${source.path} is not valid YAML: ${(error as Error).message}`, { operation: "cli.profile" });
  }
  return typeof config.defaultProfile === "string" ? config.defaultProfile : "simulator";
}

/** Options of {@link loadProfile}. */
export interface LoadProfileOptions {
  /** The value of `--config` (overrides `$VMSHIFT_CONFIG`). */
  readonly configFile?: string;
}

/**
 * Loads and resolves a profile by name (or the default one). Every mistake in the configuration
 * (a missing named config file, invalid YAML, an unknown profile, an inline secret, an unset
 * variable) is a `VmshiftError` with operation `cli.profile`, which the CLI exits 2 for: nothing
 * was sent to a platform.
 */
export function loadProfile(name: string | undefined, env: Readonly<Record<string, string | undefined>>, cwd: string, options: LoadProfileOptions = {}): ResolvedProfile {
  const source = configSource(env, cwd, options.configFile);
  const path = source.path;
  let config: { defaultProfile?: unknown; profiles?: Record<string, unknown> } = {};
  const text = readConfig(source);
  if (text !== undefined) {
    try {
      config = (parseYaml(text) ?? {}) as typeof config;
    } catch (error) {
      throw new VmshiftError("INVALID_ARGUMENT", `config ${path} is not valid YAML: ${(error as Error).message}`, { operation: "cli.profile" });
    }
  }
  const chosen = name ?? (typeof config.defaultProfile === "string" ? config.defaultProfile : "simulator");
  if (chosen.startsWith("target:") && !config.profiles?.[chosen]) {
    return { name: chosen, platform: "target", settings: { target: chosen.slice("target:".length) }, secrets: [] };
  }
  const raw = config.profiles?.[chosen] ?? BUILTIN_PROFILES[chosen];
  if (!raw || typeof raw !== "object") {
    const known = [...Object.keys(config.profiles ?? {}), ...Object.keys(BUILTIN_PROFILES)];
    throw new VmshiftError("NOT_FOUND", `no profile ${chosen} (known: ${known.join(", ")})`, { operation: "cli.profile" });
  }
  const { platform, ...rest } = raw as Record<string, unknown>;
  if (typeof platform !== "string") throw new VmshiftError("INVALID_ARGUMENT", `profile ${chosen} has no platform`, { operation: "cli.profile" });
  const secrets: string[] = [];
  const settings = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, resolveValue(k, v, env, cwd, secrets, chosen)]));
  return { name: chosen, platform, settings, secrets };
}
