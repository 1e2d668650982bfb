/**
 * `vmshift move <vm> --from <profile> --to <profile>`: a cold or warm move between platforms through
 * @vmshift/move, followed with the same display, Ctrl-C handling and exit codes as `migrate`.
 * Flags and profiles are read before anything is asked of a platform. The move runs in this
 * process (it ends with it). Supported profiles today: `libvirt` sources; `libvirt` and `kubevirt`
 * targets (a kubevirt profile names CDI's upload proxy: `uploadProxyUrl`, optionally `uploadProxyCa`).
 */
import { VmshiftError } from "@vmshift/core";
import { type Command, type CommandContext, type DescribedOptionTable, type Flags, UsageError, flagNumber, flagString } from "../command.ts";
import { follow } from "../follow.ts";
import { type ResolvedProfile, loadProfile } from "../profiles.ts";

const IN_PROCESS = "moves run inside this process";

function list(flags: Flags, name: string): string[] {
  const v = flags[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === "string");
}

/** The libvirt connection a profile names: `--<side>-host <id>`, or its only host. */
export function libvirtHost(profile: ResolvedProfile, hostId: string | undefined, side: "from" | "to"): { id: string; uri: string } {
  if (profile.platform !== "libvirt") {
    const supported = side === "from" ? "libvirt sources" : "libvirt and kubevirt targets";
    throw new VmshiftError("NOT_SUPPORTED", `profile ${profile.name} is a ${profile.platform} profile; moves support ${supported} only today (see docs/move.md)`, { operation: "cli.move" });
  }
  const hosts = (Array.isArray(profile.settings["hosts"]) ? profile.settings["hosts"] : []) as { id?: unknown; uri?: unknown }[];
  const valid = hosts.filter((h): h is { id: string; uri: string } => typeof h?.id === "string" && typeof h?.uri === "string");
  if (hostId !== undefined) {
    const h = valid.find((x) => x.id === hostId);
    if (!h) throw new UsageError(`--${side}-host ${hostId}: profile ${profile.name} has no such host (it has: ${valid.map((x) => x.id).join(", ") || "none"})`);
    return h;
  }
  if (valid.length !== 1) throw new UsageError(`profile ${profile.name} has ${valid.length} hosts: say which with --${side}-host <id>`);
  return valid[0]!;
}

export const moveCommand: Command = {
  name: "move",
  summary: "move a VM to another platform or host, cold or warm: copy its disks, define it there, cut over",
  usage: "move <vm> --from <profile> --to <profile> [options]",
  options: {
    from: { type: "string", value: "profile", description: "profile of the platform the VM is on (libvirt today)" },
    to: { type: "string", value: "profile", description: "profile of the platform to move it to (libvirt, or kubevirt with CDI's uploadProxyUrl)" },
    "from-host": { type: "string", value: "host", description: "the source host's id when the --from profile has several" },
    "to-host": { type: "string", value: "host", description: "the target host's id when the --to profile has several" },
    "network-map": { type: "string", multiple: true, value: "src=dst", description: "map a source network to a target network (repeatable; every network the VM uses must be mapped)" },
    "storage-map": { type: "string", multiple: true, value: "src=dst[:format]", description: "map a source storage (libvirt pool) to a target one, optionally with the format to write (raw, qcow2) (repeatable)" },
    mode: { type: "string", value: "cold|warm", description: "cold: stop the VM, then copy (default); warm: copy while it runs, then delta passes of changed blocks, stop it only for the last one" },
    "max-passes": { type: "string", value: "n", description: "warm: delta passes while the VM runs, at most, before the cutover (default 5)" },
    "converged-bytes": { type: "string", value: "bytes", description: "warm: a delta pass that copied at most this much ends the passes (default 16 MiB)" },
    "target-name": { type: "string", value: "name", description: "the VM's name on the target (default: its source name)" },
    "shutdown-timeout": { type: "string", value: "ms", description: "graceful shutdown of the source before it is powered off, ms (default 30000)" },
    "request-id": { type: "string", value: "id", description: "idempotency key of the move (default: generated)" },
    timeout: { type: "string", value: "ms", description: "stop waiting after this long, ms, and exit 6 (the move ends with this process)" },
  } satisfies DescribedOptionTable,
  positionals: { min: 1, max: 1 },
  async run(ctx: CommandContext) {
    const vmId = ctx.positionals[0]!;
    const fromName = flagString(ctx.flags, "from");
    const toName = flagString(ctx.flags, "to");
    if (fromName === undefined || toName === undefined) throw new UsageError("say where the VM is and where it goes: --from <profile> --to <profile>");
    const { parsePairs, parseStorageMap, createMover, libvirtMoveSource, libvirtMoveTarget } = await import("@vmshift/move");
    let networkMap: Record<string, string>;
    let storageMap: ReturnType<typeof parseStorageMap>;
    try {
      networkMap = parsePairs(list(ctx.flags, "network-map"), "network");
      storageMap = parseStorageMap(list(ctx.flags, "storage-map"));
    } catch (error) {
      throw new UsageError((error as VmshiftError).message.replace(/^.*INVALID_ARGUMENT: /, ""));
    }
    const mode = flagString(ctx.flags, "mode") ?? "cold";
    if (mode !== "cold" && mode !== "warm") throw new UsageError(`--mode ${mode}: say cold or warm`);
    const maxDeltaPasses = flagNumber(ctx.flags, "max-passes");
    const convergedBytes = flagNumber(ctx.flags, "converged-bytes");
    if (mode === "cold" && (maxDeltaPasses !== undefined || convergedBytes !== undefined)) throw new UsageError("--max-passes and --converged-bytes tune warm moves: add --mode warm");
    const warm = { ...(maxDeltaPasses === undefined ? {} : { maxDeltaPasses }), ...(convergedBytes === undefined ? {} : { convergedBytes }) };
    const shutdownTimeoutMs = flagNumber(ctx.flags, "shutdown-timeout");
    const timeout = flagNumber(ctx.flags, "timeout");
    const configFile = flagString(ctx.flags, "config");
    const load = (name: string) => loadProfile(name, ctx.io.env, ctx.io.cwd, configFile === undefined ? {} : { configFile });
    const src = libvirtHost(load(fromName), flagString(ctx.flags, "from-host"), "from");
    const toProfile = load(toName);
    const dst = toProfile.platform === "kubevirt" ? await kubevirtTarget(toProfile) : libvirtTarget(libvirtHost(toProfile, flagString(ctx.flags, "to-host"), "to"), libvirtMoveTarget);
    const targetName = flagString(ctx.flags, "target-name");
    const requestId = flagString(ctx.flags, "request-id");
    const task = createMover().moveVm({
      from: libvirtMoveSource({ uri: src.uri, hostId: src.id }),
      to: dst.target,
      vmId,
      mode,
      ...(Object.keys(warm).length === 0 ? {} : { warm }),
      networkMap,
      storageMap,
      ...(targetName === undefined ? {} : { targetName }),
      ...(shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs }),
      ...(requestId === undefined ? {} : { requestId }),
    });
    if (!ctx.json) ctx.io.stderr.write(`move ${task.id} started: ${vmId} ${src.id} → ${dst.id} (${mode}; ${IN_PROCESS}, so it ends with this command)\n`);
    return follow(task, ctx.io, { json: ctx.json, inProcess: IN_PROCESS, ...(timeout === undefined ? {} : { maxWaitMs: timeout }) });
  },
};

/** A move target and how messages name it. */
interface TargetSide {
  readonly id: string;
  readonly target: import("@vmshift/move").MoveTarget;
}

function libvirtTarget(host: { id: string; uri: string }, make: typeof import("@vmshift/move").libvirtMoveTarget): TargetSide {
  return { id: host.id, target: make({ uri: host.uri, hostId: host.id }) };
}

/**
 * A KubeVirt cluster as the move's target: the profile's kubeconfig (and context), its namespace
 * (default `default`), and CDI's upload proxy (`uploadProxyUrl`, with `uploadProxyCa` when it
 * presents a certificate the system does not trust).
 */
async function kubevirtTarget(profile: ResolvedProfile): Promise<TargetSide> {
  const s = profile.settings;
  const text = (key: string): string | undefined => {
    const v = s[key];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || v === "") throw new UsageError(`profile ${profile.name}: ${key} must be a non-empty string`);
    return v;
  };
  const uploadProxyUrl = text("uploadProxyUrl");
  if (uploadProxyUrl === undefined) throw new UsageError(`profile ${profile.name}: a move into KubeVirt uploads disks through CDI's upload proxy: set uploadProxyUrl (e.g. https://cdi-uploadproxy.example:443)`);
  const kubeconfigPath = text("kubeconfig");
  const context = text("context");
  const ca = text("uploadProxyCa");
  const namespace = text("namespace") ?? "default";
  const [{ HttpKubeTransport, loadKubeConfig }, { kubevirtMoveTarget }] = await Promise.all([import("@vmshift/kubevirt"), import("@vmshift/move")]);
  const api = new HttpKubeTransport({ kubeConfig: loadKubeConfig({ ...(kubeconfigPath === undefined ? {} : { kubeconfigPath }), ...(context === undefined ? {} : { context }) }) });
  return { id: `${profile.name}/${namespace}`, target: kubevirtMoveTarget({ api, namespace, uploadProxy: { url: uploadProxyUrl, ...(ca === undefined ? {} : { ca }) } }) };
}

