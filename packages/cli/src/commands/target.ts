/**
 * `vmshift target serve <target>`: starts a test platform in the foreground so people and other
 * tools (Ansible, a fleet worker, kubectl) can use it, writes a vmshift config whose default profile
 * connects to it, prints where it listens, and serves until Ctrl-C or SIGTERM. The simulator is
 * served over HTTP by this package; other targets come from target modules that export `servers`
 * (the repository's local environments: `kubevirt-env`, `nutanix-server`, `vsphere-vcsim`, `hyperv-transcripts`, `libvirt-local`).
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join } from "node:path";
import { isVmshiftError, systemClock } from "@vmshift/core";
import { stringifyYaml } from "../yaml.ts";
import { type Command, type DescribedOptionTable, UsageError, flagNumber, flagString } from "../command.ts";
import { loadConformance } from "../conformance-loader.ts";
import { EXIT, type CliIo, untilStopped } from "../io.ts";

/** What a served target hands back: where it is, the profile that reaches it, how to stop it. */
export interface ServedTarget {
  readonly url: string;
  /** The profile to write: a platform and its settings (secrets as `{ file: path }` references). */
  readonly profile: { readonly platform: string; readonly settings: Readonly<Record<string, unknown>> };
  close(): Promise<void>;
}

/** What `target serve` gives a target server. */
export interface TargetServerOptions {
  /** The directory of the config file, where files the profile refers to go. */
  readonly dir: string;
  /** The port asked for with `--port`, when one was. */
  readonly port?: number;
  /**
   * Writes `text` into `dir` as `name`, readable by the owner only (0600; `executable`: 0700), and
   * returns its path. `target serve` removes every such file when it stops.
   */
  writePrivate(name: string, text: string, options?: { readonly executable?: boolean }): string;
}

/** Starts one target. */
export type TargetServer = (options: TargetServerOptions) => Promise<ServedTarget>;

/** Writes `text` readable (and, when asked, runnable) by the owner only. */
function writeOwnerOnly(path: string, text: string, executable = false): void {
  const mode = executable ? 0o700 : 0o600;
  writeFileSync(path, text, { mode });
  chmodSync(path, mode); // an existing file keeps its mode through writeFileSync
}

/** The simulator in its own process: one world (default inventory, real time) behind a token. */
const serveSimulatorTarget: TargetServer = async ({ port, writePrivate }) => {
  const { SimulatorWorld, serveSimulator } = await import("@vmshift/simulator");
  const token = randomBytes(24).toString("base64url");
  const tokenFile = writePrivate("simulator.token", `${token}\n`);
  const served = await serveSimulator(new SimulatorWorld({ clock: systemClock }), { token, ...(port === undefined ? {} : { port }) });
  return { url: served.url, profile: { platform: "simulator", settings: { url: served.url, token: { file: tokenFile } } }, close: () => served.close() };
};

/** Servers of the target modules named in `$VMSHIFT_CONFORMANCE_TARGETS`. */
async function moduleServers(io: CliIo): Promise<Record<string, TargetServer>> {
  // Without the suite installed there are no target modules to ask: only the simulator is servable.
  const suite = await loadConformance().catch((error: unknown) => {
    if (isVmshiftError(error, "CAPABILITY_UNAVAILABLE")) return undefined;
    throw error;
  });
  if (!suite) return {};
  const found: Record<string, TargetServer> = {};
  for (const specifier of suite.targetModulesFromEnv(io.env)) {
    const servers = (await suite.importTargetModule(specifier, io.cwd))["servers"];
    if (typeof servers === "object" && servers !== null) Object.assign(found, servers);
  }
  return found;
}

/** `target serve`. */
export const targetCommand: Command = {
  name: "target",
  summary: "serve a test platform (simulator, and in a checkout kubevirt-env, nutanix-server, vsphere-vcsim, hyperv-transcripts, libvirt-local) until interrupted",
  usage: "target serve <target> [options]",
  options: {
    "config-out": { type: "string", value: "file", description: "where to write the vmshift config for it (mode 0600; default ./vmshift-<target>.yaml); removed on exit" },
    port: { type: "string", value: "port", description: "port to listen on, where the target allows it (default: any free one)" },
  } satisfies DescribedOptionTable,
  positionals: { min: 2, max: 2 },
  async run({ io, flags, positionals }) {
    const [verb, name] = positionals as [string, string];
    if (verb !== "serve") throw new UsageError(`unknown target subcommand ${verb} (known: serve)`);
    const port = flagNumber(flags, "port");
    const others = name === "simulator" ? {} : await moduleServers(io); // the simulator needs no target module
    const server = name === "simulator" ? serveSimulatorTarget : others[name];
    if (!server) throw new UsageError(`cannot serve ${name} (servable here: ${["simulator", ...Object.keys(others)].join(", ")})`);
    const requested = flagString(flags, "config-out") ?? `vmshift-${name}.yaml`;
    const configFile = isAbsolute(requested) ? requested : join(io.cwd, requested);
    const dir = dirname(configFile);
    mkdirSync(dir, { recursive: true });
    const written: string[] = [];
    const writePrivate = (file: string, text: string, options: { readonly executable?: boolean } = {}) => {
      if (basename(file) !== file || file === "." || file === "..") throw new Error(`target ${name} asked to write ${JSON.stringify(file)}, which is not a plain file name`);
      const path = join(dir, file);
      writeOwnerOnly(path, text, options.executable);
      written.push(path);
      return path;
    };
    const removeWritten = () => {
      for (const path of written) rmSync(path, { force: true });
    };
    let served: ServedTarget;
    try {
      served = await server({ dir, writePrivate, ...(port === undefined ? {} : { port }) });
    } catch (error) {
      removeWritten();
      throw error;
    }
    try {
      writeOwnerOnly(configFile, stringifyYaml({ defaultProfile: name, profiles: { [name]: { platform: served.profile.platform, ...served.profile.settings } } }));
      io.stdout.write(`ready ${name} profile=${name} config=${configFile} url=${served.url}\n`);
      io.stderr.write(`serving ${name} at ${served.url}; use it with: vmshift vms --config ${configFile}   (Ctrl-C stops it)\n`);
      await untilStopped(io);
    } finally {
      await served.close().catch((error: unknown) => io.stderr.write(`stopping ${name}: ${(error as Error).message}\n`));
      removeWritten();
      rmSync(configFile, { force: true });
    }
    return EXIT.ok;
  },
};
