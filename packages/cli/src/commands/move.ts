/**
 * `vmshift move <vm> --from <profile> --to <profile>`: a cold or warm move between platforms through
 * @vmshift/move, followed with the same display, Ctrl-C handling and exit codes as `migrate`.
 * Flags and profiles are read before anything is asked of a platform. The move runs in this
 * process (it ends with it). Supported profiles today: `libvirt`, `vsphere`, `hyperv` and `nutanix` sources; `libvirt` and `kubevirt`
 * targets (a kubevirt profile names CDI's upload proxy: `uploadProxyUrl`, optionally `uploadProxyCa`).
 */
import { type Command, type CommandContext, type DescribedOptionTable, UsageError, flagNumber, flagString } from "../command.ts";
import { follow } from "../follow.ts";
import { loadProfile } from "../profiles.ts";
import { moveMaps, sourceSide, targetSide } from "./move-sides.ts";

const IN_PROCESS = "moves run inside this process";

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
    "remove-source": { type: "boolean", description: "once the target runs the VM and reports it running, remove the source VM (libvirt: undefine with NVRAM and snapshot/checkpoint metadata, its disks are kept; Hyper-V: Remove-VM, its VHDX files are kept; vSphere: Destroy_Task and Nutanix: DELETE, which delete its disks with it); the result names what went and what stayed" },
    convert: { type: "string", value: "auto|always|never", description: "guest conversion at cutover with Debian's virt-v2v-in-place (driver injection), after the disks are copied and before the target starts: auto (default) converts vSphere, Hyper-V and Nutanix guests that are Windows or boot from a non-virtio disk, never libvirt guests; needs the virt-v2v package where vmshift runs and a libvirt target" },
    attach: { type: "string", value: "move-id", description: "attach to a move another process started and that ended (killed, crashed): its record on the target says where it stands; it is completed, resumed (cold) or rolled back (warm, uploads), and the result says which and why. The move goes on with the --convert, --remove-source and --shutdown-timeout it was started with (recorded); given here, they must match (else exit 1, INVALID_ARGUMENT naming both). While the move's process still holds its lease (it heartbeats), refused: exit 1, CONFLICT naming that process (host, pid) and when its lease ends" },
    force: { type: "boolean", description: "with --attach (or --request-id of a move recorded on the target): take the move over even while its process still holds its lease. DANGEROUS: if that process still runs, two processes write one target, or a rollback deletes what the other still writes; only when that process is surely gone" },
    heartbeat: { type: "string", value: "ms", description: "how often this move refreshes its process's heartbeat in its record on the target, ms (default 5000; one write to the target each)" },
    lease: { type: "string", value: "ms", description: "how long after its last heartbeat this move's process counts as gone, so that another may attach, ms (default 20000; at least twice --heartbeat)" },
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
    const { DEFAULT_HEARTBEAT_MS, createMover } = await import("@vmshift/move");
    const { networkMap, storageMap } = await moveMaps(ctx.flags);
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
    // The record keeps --convert, --remove-source and --shutdown-timeout: given with --attach they must match it (the mover refuses otherwise).
    if (attachId !== undefined && (cutoverAt !== undefined || ctx.flags["warm"] === true || modeFlag !== undefined)) throw new UsageError("--attach continues a recorded move as it was started: no --mode, --warm or --cutover-at");
    const convert = flagString(ctx.flags, "convert");
    if (convert !== undefined && convert !== "auto" && convert !== "always" && convert !== "never") throw new UsageError(`--convert ${convert}: say auto, always or never`);
    const maxDeltaPasses = flagNumber(ctx.flags, "max-passes");
    const convergedBytes = flagNumber(ctx.flags, "converged-bytes");
    if (mode === "cold" && (maxDeltaPasses !== undefined || convergedBytes !== undefined)) throw new UsageError("--max-passes and --converged-bytes tune warm moves: add --mode warm");
    const warm = { ...(maxDeltaPasses === undefined ? {} : { maxDeltaPasses }), ...(convergedBytes === undefined ? {} : { convergedBytes }) };
    const shutdownTimeoutMs = flagNumber(ctx.flags, "shutdown-timeout");
    const force = ctx.flags["force"] === true;
    const heartbeatMs = flagNumber(ctx.flags, "heartbeat");
    const leaseMs = flagNumber(ctx.flags, "lease");
    if (heartbeatMs !== undefined && heartbeatMs < 10) throw new UsageError(`--heartbeat ${heartbeatMs}: at least 10 ms`);
    if (leaseMs !== undefined && leaseMs < 2 * (heartbeatMs ?? DEFAULT_HEARTBEAT_MS)) throw new UsageError(`--lease ${leaseMs} must be at least twice the heartbeat (${heartbeatMs ?? DEFAULT_HEARTBEAT_MS} ms): one late heartbeat must not end a live process's lease`);
    const lease = { ...(heartbeatMs === undefined ? {} : { heartbeatMs }), ...(leaseMs === undefined ? {} : { leaseMs }) };
    const timeout = flagNumber(ctx.flags, "timeout");
    const configFile = flagString(ctx.flags, "config");
    const load = (name: string) => loadProfile(name, ctx.io.env, ctx.io.cwd, configFile === undefined ? {} : { configFile });
    const fromProfile = load(fromName);
    const toProfile = load(toName);
    const src = await sourceSide(fromProfile, flagString(ctx.flags, "from-host"));
    const dst = await targetSide(toProfile, flagString(ctx.flags, "to-host")).catch(async (error: unknown) => {
      await src.close?.();
      throw error;
    });
    const targetName = flagString(ctx.flags, "target-name");
    const requestId = flagString(ctx.flags, "request-id");
    try {
      const mover = createMover({ lease });
      // --attach asks the target's record first: no move, or one whose process still holds its lease, is refused before any task (exit 1).
      const task = attachId !== undefined
        ? await mover.attach(attachId, {
          from: src.source, to: dst.target, networkMap, storageMap,
          ...(shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs }),
          ...(force ? { force } : {}),
          // Absent: the record's (what the move was started with); given: checked against it.
          ...(convert === undefined ? {} : { convert: { mode: convert } }),
          ...(removeSource ? { removeSource } : ctx.flags["keep-source"] === true ? { removeSource: false } : {}),
        })
        : mover.moveVm({
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
        ...(force ? { force } : {}),
        ...(cutoverAt === undefined ? {} : { cutoverAt }),
        ...(removeSource ? { removeSource } : {}),
        ...(convert === undefined ? {} : { convert: { mode: convert } }),
      });
      if (!ctx.json && attachId !== undefined) ctx.io.stderr.write(`attaching to move ${task.id} (${IN_PROCESS}, so it ends with this command)\n`);
      else if (!ctx.json) ctx.io.stderr.write(`move ${task.id} started: ${vmId} ${src.id} → ${dst.id} (${mode}; ${IN_PROCESS}, so it ends with this command)\n`);
      return await follow(task, ctx.io, { json: ctx.json, inProcess: IN_PROCESS, ...(timeout === undefined ? {} : { maxWaitMs: timeout }) });
    } finally {
      // Also when the mover refuses the request outright (e.g. removeSource on a source that cannot remove).
      await src.close?.();
    }
  },
};
