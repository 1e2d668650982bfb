/**
 * The two sides of `vmshift move` (and `plan move`) from profiles: which platforms a move can leave
 * and enter, and how a profile's settings become a move source or target. Connections are read
 * with the same readers as the adapters' (platforms.ts), so a profile means one thing everywhere.
 * Platform packages are imported when a side of theirs is built.
 */
import { VmshiftError } from "@vmshift/core";
import { type Flags, UsageError } from "../command.ts";
import { hypervRunner, kubevirtConnection, nutanixConnection, settings, vsphereConnection } from "../platforms.ts";
import type { ResolvedProfile } from "../profiles.ts";

/** A repeatable string flag's values. */
function list(flags: Flags, name: string): string[] {
  const v = flags[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === "string");
}

/** `--network-map a=b` and `--storage-map x=y[:format]` (repeatable), as the mover takes them; a malformed pair is a usage error. */
export async function moveMaps(flags: Flags): Promise<{ readonly networkMap: Record<string, string>; readonly storageMap: import("@vmshift/move").StorageMap }> {
  const { parsePairs, parseStorageMap } = await import("@vmshift/move");
  try {
    return { networkMap: parsePairs(list(flags, "network-map"), "network"), storageMap: parseStorageMap(list(flags, "storage-map")) };
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^.*INVALID_ARGUMENT: /, ""));
  }
}

/** Platforms a move can leave. */
export const MOVE_SOURCES = ["libvirt", "vsphere", "hyperv", "nutanix"] as const;
/** Platforms a move can enter. */
export const MOVE_TARGETS = ["libvirt", "kubevirt"] as const;

/** A move source, how messages name it, and what to release when the move ends. */
export interface SourceSide {
  readonly id: string;
  readonly source: import("@vmshift/move").MoveSource;
  close?(): Promise<void>;
}

/** A move target and how messages name it. */
export interface TargetSide {
  readonly id: string;
  readonly target: import("@vmshift/move").MoveTarget;
}

/** Refuses a profile whose platform cannot be this side of a move (NOT_SUPPORTED, naming what it is and what is accepted). */
export function unsupported(profile: ResolvedProfile, side: "from" | "to"): never {
  const supported = side === "from" ? `${MOVE_SOURCES.join(", ")} sources` : `${MOVE_TARGETS.join(" and ")} targets`;
  throw new VmshiftError("NOT_SUPPORTED", `profile ${profile.name} is a ${profile.platform} profile; moves support ${supported} (see docs/move.md)`, { operation: "cli.move" });
}

/** The libvirt connection a profile names: `--<side>-host <id>`, or its only host. */
export function libvirtHost(profile: ResolvedProfile, hostId: string | undefined, side: "from" | "to"): { id: string; uri: string } {
  if (profile.platform !== "libvirt") unsupported(profile, side);
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

/**
 * The source a profile names. libvirt: one host (`--from-host` when several). vsphere: `<vm>` is the
 * VM's moref id; disks come through ExportVm leases downloaded by `@vmshift/vsphere` with the session
 * cookie, which never leaves it. hyperv: `<vm>` is the VM's id; `shares` maps the hosts'
 * administrative shares (UNC prefix) to where they are mounted here, the VHDX files are read in
 * place. nutanix: `<vm>` is the VM's extId; disk images are downloaded by Node with the profile's
 * credentials.
 */
export async function sourceSide(profile: ResolvedProfile, hostId: string | undefined): Promise<SourceSide> {
  const move = await import("@vmshift/move");
  switch (profile.platform) {
    case "libvirt": {
      const host = libvirtHost(profile, hostId, "from");
      return { id: host.id, source: move.libvirtMoveSource({ uri: host.uri, hostId: host.id }) };
    }
    case "vsphere": {
      const { createVsphereMoveApi } = await import("@vmshift/vsphere");
      const api = createVsphereMoveApi(vsphereConnection(profile));
      return { id: profile.name, source: move.vsphereMoveSource({ api, hostId: profile.name }), close: () => api.close() };
    }
    case "hyperv": {
      const shares = sharesOf(profile);
      const { runner, hosts } = await hypervRunner(profile);
      return { id: profile.name, source: move.hypervMoveSource({ runner, shares, hostId: profile.name, ...(hosts === undefined ? {} : { hosts }) }), close: () => runner.close() };
    }
    case "nutanix": {
      const connection = nutanixConnection(profile);
      const { NutanixTransport } = await import("@vmshift/nutanix");
      return { id: profile.name, source: move.nutanixMoveSource({ api: new NutanixTransport(connection), files: move.prismImageFiles(connection), hostId: profile.name }) };
    }
    default:
      return unsupported(profile, "from");
  }
}

/**
 * The target a profile names. libvirt: one host (`--to-host` when several). kubevirt: the profile's
 * connection as for migrations (kubeconfig, context, inCluster, insecureSkipTlsVerify), its namespace (default `default`), and CDI's upload proxy
 * (`uploadProxyUrl`, with `uploadProxyCa` when it presents a certificate the system does not trust);
 * for warm moves `transferImage` (an image with qemu-nbd for the transfer pod) and, when the mover
 * does not reach the pod network, `transferAddress` (a host forwarding the pod's NBD ports), and
 * `transferAllowFrom` (`{ podLabels, namespaces, cidrs }`: the peers the transfer pod's
 * NetworkPolicy admits, see {@link transferAllowFromOf});
 * for guest conversion at cutover `conversionImage` (an image with virt-v2v-in-place for the
 * conversion pod).
 */
export async function targetSide(profile: ResolvedProfile, hostId: string | undefined): Promise<TargetSide> {
  const move = await import("@vmshift/move");
  switch (profile.platform) {
    case "libvirt": {
      const host = libvirtHost(profile, hostId, "to");
      return { id: host.id, target: move.libvirtMoveTarget({ uri: host.uri, hostId: host.id }) };
    }
    case "kubevirt": {
      const s = settings(profile);
      const uploadProxyUrl = s.string("uploadProxyUrl");
      if (uploadProxyUrl === undefined) throw new UsageError(`profile ${profile.name}: a move into KubeVirt uploads disks through CDI's upload proxy: set uploadProxyUrl (e.g. https://cdi-uploadproxy.example:443)`);
      const ca = s.string("uploadProxyCa");
      const namespace = s.string("namespace") ?? "default";
      const transferImage = s.string("transferImage");
      const transferAddress = s.string("transferAddress");
      const allowFrom = transferAllowFromOf(profile);
      if (allowFrom !== undefined && transferImage === undefined) throw new UsageError(`profile ${profile.name}: transferAllowFrom widens the warm transfer pod's NetworkPolicy: set transferImage too`);
      const transfer = transferImage === undefined ? {} : { transfer: { image: transferImage, ...(transferAddress === undefined ? {} : { address: transferAddress }), ...(allowFrom === undefined ? {} : { allowFrom }) } };
      const conversionImage = s.string("conversionImage");
      const conversion = conversionImage === undefined ? {} : { conversion: { image: conversionImage } };
      const { HttpKubeTransport, loadKubeConfig } = await import("@vmshift/kubevirt");
      const api = new HttpKubeTransport({ kubeConfig: loadKubeConfig(kubevirtConnection(profile)) });
      try {
        return { id: `${profile.name}/${namespace}`, target: move.kubevirtMoveTarget({ api, namespace, uploadProxy: { url: uploadProxyUrl, ...(ca === undefined ? {} : { ca }) }, ...transfer, ...conversion }) };
      } catch (error) {
        // The target checks labels, namespace names and CIDRs: say it in the profile's words.
        const at = error instanceof VmshiftError ? error.message.indexOf("transfer.allowFrom:") : -1;
        if (at >= 0) throw new UsageError(`profile ${profile.name}: transferAllowFrom${(error as Error).message.slice(at + "transfer.allowFrom".length)}`);
        throw error;
      }
    }
    default:
      return unsupported(profile, "to");
  }
}

/**
 * A kubevirt profile's `transferAllowFrom`: `podLabels` (label → value), `namespaces` and `cidrs`
 * (lists of strings), the peers the warm transfer pod's NetworkPolicy admits to its NBD ports
 * instead of pods labelled `vmshift.io/mover=true` in the namespace. Any other shape is a usage
 * error naming the key (the target checks the values themselves when it is built).
 */
export function transferAllowFromOf(profile: ResolvedProfile): { podLabels?: Record<string, string>; namespaces?: string[]; cidrs?: string[] } | undefined {
  const raw = profile.settings["transferAllowFrom"];
  if (raw === undefined) return undefined;
  const bad = (what: string) => new UsageError(`profile ${profile.name}: transferAllowFrom${what}, e.g. transferAllowFrom: { podLabels: { app: mover }, namespaces: [ops], cidrs: [10.0.0.0/24] }`);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw bad(" must be a map with podLabels, namespaces or cidrs");
  const out: { podLabels?: Record<string, string>; namespaces?: string[]; cidrs?: string[] } = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === "podLabels") {
      if (typeof value !== "object" || value === null || Array.isArray(value) || Object.values(value).some((v) => typeof v !== "string")) throw bad(".podLabels must map label keys to string values");
      out.podLabels = { ...(value as Record<string, string>) };
    } else if (key === "namespaces" || key === "cidrs") {
      if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw bad(`.${key} must be a list of strings`);
      out[key] = [...(value as string[])];
    } else throw bad(`: unknown key ${JSON.stringify(key)} (podLabels, namespaces, cidrs)`);
  }
  return out;
}

/** A hyperv profile's `shares` (UNC prefix → local directory); a usage error names what is wrong. */
export function sharesOf(profile: ResolvedProfile): Record<string, string> {
  const raw = profile.settings["shares"];
  const example = "shares: { '\\\\HV-A\\D$': /mnt/hv-a-d }";
  if (raw === undefined) throw new UsageError(`profile ${profile.name}: a move from Hyper-V reads the VHDX files through the hosts' administrative shares mounted here: set ${example}`);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new UsageError(`profile ${profile.name}: shares must map UNC prefixes to local directories, e.g. ${example}`);
  const out: Record<string, string> = {};
  for (const [prefix, dir] of Object.entries(raw)) {
    if (!prefix.startsWith("\\\\")) throw new UsageError(`profile ${profile.name}: shares key ${JSON.stringify(prefix)} is not a UNC prefix (\\\\host\\share)`);
    if (typeof dir !== "string" || !dir.startsWith("/")) throw new UsageError(`profile ${profile.name}: shares ${JSON.stringify(prefix)} must name an absolute local directory`);
    out[prefix] = dir;
  }
  return out;
}
