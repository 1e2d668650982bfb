/**
 * `vmshift move <vm> --from <profile> --to <profile>`: a cold or warm move between platforms through
 * @vmshift/move, followed with the same display, Ctrl-C handling and exit codes as `migrate`.
 * Flags and profiles are read before anything is asked of a platform. The move runs in this
 * process (it ends with it). Supported profiles today: `libvirt`, `vsphere`, `hyperv` and `nutanix` sources; `libvirt` and `kubevirt`
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
  usage: "move <vm> --from <profile> --to <profile> [options] | move --attach <move-id> --from <profile> --to <profile>",
  options: {
    from: { type: "string", value: "profile", description: "profile of the platform the VM is on (libvirt, vsphere, hyperv or nutanix)" },
    to: { type: "string", value: "profile", description: "profile of the platform to move it to (libvirt, or kubevirt with CDI's uploadProxyUrl)" },
    "from-host": { type: "string", value: "host", description: "the source host's id when the --from profile has several" },
    "to-host": { type: "string", value: "host", description: "the target host's id when the --to profile has several" },
    "network-map": { type: "string", multiple: true, value: "src=dst", description: "map a source network to a target network (repeatable; every network the VM uses must be mapped)" },
    "storage-map": { type: "string", multiple: true, value: "src=dst[:format]", description: "map a source storage (libvirt pool) to a target one, optionally with the format to write (raw, qcow2) (repeatable)" },
    mode: { type: "string", value: "cold|warm", description: "cold: stop the VM, then copy (default); warm: copy while it runs, then delta passes of changed blocks, stop it only for the last one" },
    warm: { type: "boolean", description: "the same as --mode warm" },
    "cutover-at": { type: "string", value: "time", description: "ISO 8601 time of the cutover (e.g. 2026-12-07T22:00:00Z): warm keeps delta passes going until then; cold reserves the target, then waits to stop the VM until then; a time in the past is refused" },
    "keep-source": { type: "boolean", description: "keep the source VM, powered off, after the move (default)" },
    "remove-source": { type: "boolean", description: "once the target runs the VM and reports it running, remove the source VM's definition (libvirt: undefine with NVRAM and snapshot/checkpoint metadata); its disks are kept" },
    attach: { type: "string", value: "move-id", description: "attach to a move another process started and that ended (killed, crashed): its record on the target says where it stands; it is completed, resumed (cold) or rolled back (warm, uploads), and the result says which and why" },
    "max-passes": { type: "string", value: "n", description: "warm: delta passes while the VM runs, at most, before the cutover (default 5)" },
    "converged-bytes": { type: "string", value: "bytes", description: "warm: a delta pass that copied at most this much ends the passes (default 16 MiB)" },
    "target-name": { type: "string", value: "name", description: "the VM's name on the target (default: its source name)" },
    "shutdown-timeout": { type: "string", value: "ms", description: "graceful shutdown of the source before it is powered off, ms (default 30000)" },
    "request-id": { type: "string", value: "id", description: "idempotency key of the move (default: generated)" },
    timeout: { type: "string", value: "ms", description: "stop waiting after this long, ms, and exit 6 (the move ends with this process)" },
  } satisfies DescribedOptionTable,
  positionals: { min: 0, max: 1 },
  async run(ctx: CommandContext) {
    const attachId = flagString(ctx.flags, "attach");
    const vmId = ctx.positionals[0] ?? "";
    if (vmId === "" && attachId === undefined) throw new UsageError("say which VM to move: move <vm> --from <profile> --to <profile> (or --attach <move-id>)");
    if (attachId !== undefined && !/^move-./.test(attachId)) throw new UsageError(`--attach ${attachId}: a move id starts with move- (as \`vmshift move\` printed it)`);
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
    const modeFlag = flagString(ctx.flags, "mode");
    if (ctx.flags["warm"] === true && modeFlag !== undefined && modeFlag !== "warm") throw new UsageError(`--warm and --mode ${modeFlag} contradict each other`);
    const mode = modeFlag ?? (ctx.flags["warm"] === true ? "warm" : "cold");
    if (mode !== "cold" && mode !== "warm") throw new UsageError(`--mode ${mode}: say cold or warm`);
    const cutoverAt = flagString(ctx.flags, "cutover-at");
    if (cutoverAt !== undefined) {
      const at = Date.parse(cutoverAt);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(cutoverAt) || !Number.isFinite(at)) throw new UsageError(`--cutover-at ${cutoverAt}: not an ISO 8601 time (e.g. 2026-12-07T22:00:00Z)`);
      if (at < Date.now()) throw new UsageError(`--cutover-at ${cutoverAt} is in the past (now ${new Date().toISOString()})`);
    }
    if (ctx.flags["keep-source"] === true && ctx.flags["remove-source"] === true) throw new UsageError("--keep-source and --remove-source contradict each other");
    const removeSource = ctx.flags["remove-source"] === true;
    if (attachId !== undefined && (cutoverAt !== undefined || removeSource || ctx.flags["warm"] === true || modeFlag !== undefined)) throw new UsageError("--attach continues a recorded move as it was started: no --mode, --warm, --cutover-at or --remove-source");
    const maxDeltaPasses = flagNumber(ctx.flags, "max-passes");
    const convergedBytes = flagNumber(ctx.flags, "converged-bytes");
    if (mode === "cold" && (maxDeltaPasses !== undefined || convergedBytes !== undefined)) throw new UsageError("--max-passes and --converged-bytes tune warm moves: add --mode warm");
    const warm = { ...(maxDeltaPasses === undefined ? {} : { maxDeltaPasses }), ...(convergedBytes === undefined ? {} : { convergedBytes }) };
    const shutdownTimeoutMs = flagNumber(ctx.flags, "shutdown-timeout");
    const timeout = flagNumber(ctx.flags, "timeout");
    const configFile = flagString(ctx.flags, "config");
    const load = (name: string) => loadProfile(name, ctx.io.env, ctx.io.cwd, configFile === undefined ? {} : { configFile });
    const fromProfile = load(fromName);
    const hyperv = fromProfile.platform === "hyperv" ? await (await import("./move-hyperv.ts")).hypervMoveSide(fromProfile) : fromProfile.platform === "vsphere" ? await (await import("./move-vsphere.ts")).vsphereMoveSide(fromProfile) : undefined;
    const src = hyperv ?? (fromProfile.platform === "nutanix" ? await nutanixSource(fromProfile) : libvirtSource(libvirtHost(fromProfile, flagString(ctx.flags, "from-host"), "from"), libvirtMoveSource));
    const toProfile = load(toName);
    const dst = toProfile.platform === "kubevirt" ? await kubevirtTarget(toProfile) : libvirtTarget(libvirtHost(toProfile, flagString(ctx.flags, "to-host"), "to"), libvirtMoveTarget);
    const targetName = flagString(ctx.flags, "target-name");
    const requestId = flagString(ctx.flags, "request-id");
    const task = createMover().moveVm({
      from: src.source,
      to: dst.target,
      vmId,
      mode,
      ...(Object.keys(warm).length === 0 ? {} : { warm }),
      networkMap,
      storageMap,
      ...(targetName === undefined ? {} : { targetName }),
      ...(shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs }),
      ...(requestId === undefined ? {} : { requestId }),
      ...(attachId === undefined ? {} : { requestId: attachId.slice("move-".length), attachOnly: true }),
      ...(cutoverAt === undefined ? {} : { cutoverAt }),
      ...(removeSource ? { removeSource } : {}),
    });
    if (!ctx.json && attachId !== undefined) ctx.io.stderr.write(`attaching to move ${task.id} (${IN_PROCESS}, so it ends with this command)\n`);
    else if (!ctx.json) ctx.io.stderr.write(`move ${task.id} started: ${vmId} ${src.id} → ${dst.id} (${mode}; ${IN_PROCESS}, so it ends with this command)\n`);
    try {
      return await follow(task, ctx.io, { json: ctx.json, inProcess: IN_PROCESS, ...(timeout === undefined ? {} : { maxWaitMs: timeout }) });
    } finally {
      await hyperv?.close();
    }
  },
};

/** A move source and how messages name it. */
interface SourceSide {
  readonly id: string;
  readonly source: import("@vmshift/move").MoveSource;
}

function libvirtSource(host: { id: string; uri: string }, make: typeof import("@vmshift/move").libvirtMoveSource): SourceSide {
  return { id: host.id, source: make({ uri: host.uri, hostId: host.id }) };
}

/**
 * A Prism Central as the move's source (cold): the profile's `url`, `username`/`password` or
 * `apiKey`, `ca`, `insecureSkipTlsVerify` (as for migrations); `<vm>` is the VM's extId. JSON goes
 * through the adapter's transport, disk images are downloaded by Node with the same credentials.
 */
async function nutanixSource(profile: ResolvedProfile): Promise<SourceSide> {
  const s = profile.settings;
  const text = (key: string): string | undefined => {
    const v = s[key];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || v === "") throw new UsageError(`profile ${profile.name}: ${key} must be a non-empty string`);
    return v;
  };
  const baseUrl = text("url");
  if (baseUrl === undefined) throw new UsageError(`profile ${profile.name}: url is required (https://<prism-central>:9440)`);
  const apiKey = text("apiKey");
  const username = text("username");
  const password = text("password");
  if (apiKey === undefined && (username === undefined || password === undefined)) throw new UsageError(`profile ${profile.name}: set apiKey, or username and password`);
  const insecure = s["insecureSkipTlsVerify"];
  if (insecure !== undefined && typeof insecure !== "boolean") throw new UsageError(`profile ${profile.name}: insecureSkipTlsVerify must be true or false`);
  const ca = text("ca");
  const connection = { baseUrl, auth: apiKey !== undefined ? { apiKey } : { username: username!, password: password! }, ...(ca === undefined ? {} : { ca }), ...(insecure === undefined ? {} : { insecureSkipTlsVerify: insecure }) };
  const [{ NutanixTransport }, { nutanixMoveSource, prismImageFiles }] = await Promise.all([import("@vmshift/nutanix"), import("@vmshift/move")]);
  return { id: profile.name, source: nutanixMoveSource({ api: new NutanixTransport(connection), files: prismImageFiles(connection), hostId: profile.name }) };
}

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

