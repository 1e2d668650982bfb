/**
 * Cross-vCenter vMotion: the remote vCenters (peers) the adapter may log into, how a request names
 * a target in one (`"<peer>/<moref>"`), and the `ServiceLocator` that tells the source vCenter
 * where to send the VM. Peer passwords reach SOAP only through `xml.ts` and never errors or logs.
 */
import { type Logger, VmshiftError, isVmshiftError } from "@vmshift/core";
import { moRef } from "./resources/decode.ts";
import type { HostFacts, VmFacts } from "./resources/placement.ts";
import { readObject } from "./resources/properties.ts";
import { type ServiceContent, VimSession } from "./session.ts";
import type { TlsOptions } from "./tls.ts";
import { type SoapTransportOptions, type VimTransport, createSoapTransport, endpointUrl } from "./transport.ts";
import { type MoRef, type Xml, el, typed } from "./xml.ts";

/**
 * A remote vCenter the adapter may move VMs to. The adapter logs into it (to read
 * `about.instanceUuid` and the target's host, root pool, datastore and VM folder), and the source
 * vCenter logs into it with the same `username`/`password` (sent in `RelocateSpec.service`).
 */
export interface VspherePeer extends TlsOptions {
  /** The peer's SDK endpoint, `https://<vcenter>/sdk`; also sent as `ServiceLocator.url`. */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /**
   * The certificate thumbprint the **source** vCenter pins for the peer
   * (`ServiceLocator.sslThumbprint`): SHA-1 (40 hex digits) or SHA-256 (64), colons optional.
   * Default: `thumbprint` (SHA-256). One of the two is required.
   */
  readonly sslThumbprint?: string;
  /** A transport to use instead of the SOAP one (tests). */
  readonly transport?: VimTransport;
}

/** A validated peer. */
export interface PeerConfig extends VspherePeer {
  readonly name: string;
  /** Normalised endpoint. */
  readonly endpoint: string;
  /** `ServiceLocator.sslThumbprint`: upper-case hex pairs joined by colons, as vCenter writes it. */
  readonly locatorThumbprint: string;
}

const PEER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** Formats a SHA-1 or SHA-256 thumbprint as `AA:BB:…`; `INVALID_ARGUMENT` otherwise. */
export function locatorThumbprint(value: string, peer: string): string {
  const hex = value.replace(/[:\s]/g, "").toUpperCase();
  if (!/^(?:[0-9A-F]{40}|[0-9A-F]{64})$/.test(hex)) {
    throw new VmshiftError("INVALID_ARGUMENT", `peer ${peer}: sslThumbprint must be a SHA-1 (40 hex digits) or SHA-256 (64) thumbprint, colons optional`, { adapter: "vsphere" });
  }
  return hex.match(/../g)!.join(":");
}

/** Validates the `peers` option (names, URLs, credentials, thumbprints). Sends nothing. */
export function validatePeers(peers: Readonly<Record<string, VspherePeer>> | undefined): ReadonlyMap<string, PeerConfig> {
  const out = new Map<string, PeerConfig>();
  for (const [name, peer] of Object.entries(peers ?? {})) {
    if (!PEER_NAME.test(name)) throw new VmshiftError("INVALID_ARGUMENT", `peer name ${JSON.stringify(name)} must be letters, digits, '_', '.', '-' (no '/')`, { adapter: "vsphere" });
    if (typeof peer.username !== "string" || peer.username.length === 0) throw new VmshiftError("INVALID_ARGUMENT", `peer ${name}: username is required`, { adapter: "vsphere" });
    if (typeof peer.password !== "string" || peer.password.length === 0) throw new VmshiftError("INVALID_ARGUMENT", `peer ${name}: password is required`, { adapter: "vsphere" });
    const pin = peer.sslThumbprint ?? peer.thumbprint;
    if (pin === undefined) {
      throw new VmshiftError("INVALID_ARGUMENT", `peer ${name}: give thumbprint or sslThumbprint (the source vCenter pins the peer's certificate)`, { adapter: "vsphere" });
    }
    out.set(name, { ...peer, name, endpoint: endpointUrl(peer.url), locatorThumbprint: locatorThumbprint(pin, name) });
  }
  return out;
}

/** Where a request sends the VM when it names a peer. */
export interface CrossTarget {
  readonly peer: PeerConfig;
  readonly hostId?: string;
  readonly clusterId?: string;
  readonly storageId?: string;
}

function split(field: string, id: string | undefined, peers: ReadonlyMap<string, PeerConfig>): { peer?: PeerConfig; id?: string } {
  if (id === undefined) return {};
  const slash = id.indexOf("/");
  if (slash < 0) return { id };
  const name = id.slice(0, slash);
  const rest = id.slice(slash + 1);
  const peer = peers.get(name);
  if (!peer) {
    const known = [...peers.keys()];
    throw new VmshiftError("INVALID_ARGUMENT", `${field} names unknown vCenter peer ${JSON.stringify(name)} (${known.length ? `configured: ${known.join(", ")}` : "no peers configured"})`, { adapter: "vsphere", subject: id });
  }
  if (rest.length === 0 || rest.includes("/")) throw new VmshiftError("INVALID_ARGUMENT", `${field} must be "<peer>/<moref>"`, { adapter: "vsphere", subject: id });
  return { peer, id: rest };
}

/**
 * The cross-vCenter target of a request, or undefined for a move inside this vCenter. A peer is
 * named by prefixing `targetHostId` and/or `targetClusterId` with `<peer>/` (moref values never
 * contain `/`); `targetStorageId` may carry the same prefix or none (it is then a peer datastore).
 * Unknown peers and mixed targets are `INVALID_ARGUMENT`, before any request.
 */
export function crossTarget(request: { readonly targetHostId?: string; readonly targetClusterId?: string; readonly targetStorageId?: string }, peers: ReadonlyMap<string, PeerConfig>): CrossTarget | undefined {
  const host = split("targetHostId", request.targetHostId, peers);
  const cluster = split("targetClusterId", request.targetClusterId, peers);
  const storage = split("targetStorageId", request.targetStorageId, peers);
  const peer = host.peer ?? cluster.peer;
  if (!peer) {
    if (storage.peer) throw new VmshiftError("INVALID_ARGUMENT", `targetStorageId names peer ${storage.peer.name}; name the target host or cluster there too ("${storage.peer.name}/<moref>")`, { adapter: "vsphere" });
    return undefined;
  }
  const mixed = [host, cluster, storage].some((p) => p.id !== undefined && p.peer !== undefined && p.peer !== peer) ||
    (host.id !== undefined && host.peer === undefined) || (cluster.id !== undefined && cluster.peer === undefined);
  if (mixed) throw new VmshiftError("INVALID_ARGUMENT", `a cross-vCenter request names all of its target host and cluster on one peer ("${peer.name}/<moref>")`, { adapter: "vsphere" });
  return {
    peer,
    ...(host.id === undefined ? {} : { hostId: host.id }),
    ...(cluster.id === undefined ? {} : { clusterId: cluster.id }),
    ...(storage.id === undefined ? {} : { storageId: storage.id }),
  };
}

/** `RelocateSpec.service`: where the peer is and how the source vCenter logs into it. */
export function serviceLocator(peer: PeerConfig, instanceUuid: string): Xml {
  return el("service", [
    el("instanceUuid", instanceUuid),
    el("url", peer.endpoint),
    typed("credential", "ServiceLocatorNamePassword", [el("username", peer.username), el("password", peer.password)]),
    el("sslThumbprint", peer.locatorThumbprint),
  ]);
}

/** Logged-in sessions to peers, opened on first use. */
export class PeerSessions {
  readonly #sessions = new Map<string, VimSession>();
  readonly #base: Pick<SoapTransportOptions, "requestTimeoutMs" | "apiVersion" | "onRequest" | "onExchange">;
  readonly #secrets: readonly string[];
  readonly #logger: Logger;

  constructor(base: Pick<SoapTransportOptions, "requestTimeoutMs" | "apiVersion" | "onRequest" | "onExchange">, secrets: readonly string[], logger: Logger) {
    this.#base = base;
    this.#secrets = secrets;
    this.#logger = logger;
  }

  /** The session to `peer`. */
  get(peer: PeerConfig): VimSession {
    let session = this.#sessions.get(peer.name);
    if (!session) {
      const transport = peer.transport ?? createSoapTransport({
        ...this.#base,
        url: peer.endpoint,
        secrets: this.#secrets,
        ...(peer.thumbprint === undefined ? {} : { thumbprint: peer.thumbprint }),
        ...(peer.ca === undefined ? {} : { ca: peer.ca }),
        ...(peer.insecureSkipTlsVerify === undefined ? {} : { insecureSkipTlsVerify: peer.insecureSkipTlsVerify }),
      });
      session = new VimSession(transport, { username: peer.username, password: peer.password, logger: this.#logger });
      this.#sessions.set(peer.name, session);
    }
    return session;
  }

  /** Logs out of every peer. */
  async close(): Promise<void> {
    await Promise.all([...this.#sessions.values()].map((s) => s.close()));
    this.#sessions.clear();
  }
}

/** What a cross-vCenter RelocateSpec needs, read from the peer. */
export interface CrossPlacement {
  readonly instanceUuid: string;
  readonly target: HostFacts;
  readonly pool: MoRef;
  readonly datastore: string;
  readonly folder: MoRef;
}

/**
 * Resolves the target in the peer: `about.instanceUuid`, the host (named, or the adapter's choice
 * in the named cluster), its cluster's root pool, the datastore (named, else the host's first) and
 * the VM folder of its datacenter; all four must be explicit in a cross-vCenter RelocateSpec.
 */
export async function resolveCross(session: VimSession, cross: CrossTarget, vm: VmFacts, signal?: AbortSignal): Promise<CrossPlacement> {
  const peer = cross.peer.name;
  const content: ServiceContent = await session.content();
  if (content.apiType !== undefined && content.apiType !== "VirtualCenter") {
    throw new VmshiftError("INVALID_ARGUMENT", `peer ${peer} is not a vCenter (apiType ${content.apiType})`, { adapter: "vsphere" });
  }
  if (!content.instanceUuid) throw new VmshiftError("INVALID_STATE", `peer ${peer} reports no about.instanceUuid`, { adapter: "vsphere" });
  const opts = signal ? { signal } : {};
  // Placement code is loaded with the migration code, on first use (see resources/migrations.ts).
  const { chooseHost, readHostFacts } = await import("./resources/migrations.ts");
  let target: HostFacts;
  if (cross.hostId !== undefined) {
    try {
      target = await readHostFacts(session, content, cross.hostId, signal);
    } catch (error) {
      if (isVmshiftError(error, "NOT_FOUND")) throw new VmshiftError("NOT_FOUND", `no host ${cross.hostId} in peer ${peer}`, { adapter: "vsphere", subject: `${peer}/${cross.hostId}`, cause: error });
      throw error;
    }
  } else {
    // Morefs of the two vCenters collide: the VM's own host id means nothing in the peer.
    const { hostId: _, ...elsewhere } = vm;
    target = await chooseHost(session, content, elsewhere, cross.clusterId, signal);
  }
  if (cross.clusterId !== undefined && target.parent?.value !== cross.clusterId) {
    throw new VmshiftError("INVALID_ARGUMENT", `host ${target.id} is not in cluster ${cross.clusterId} of peer ${peer}`, { adapter: "vsphere", subject: vm.id });
  }
  if (!target.parent) throw new VmshiftError("INVALID_STATE", `host ${target.id} of peer ${peer} has no compute resource`, { adapter: "vsphere" });
  const pool = moRef((await readObject(session, content, target.parent, ["resourcePool"], opts))["resourcePool"]);
  if (!pool) throw new VmshiftError("INVALID_STATE", `compute resource ${target.parent.value} of peer ${peer} has no resource pool`, { adapter: "vsphere" });
  const datastore = cross.storageId ?? target.datastores[0];
  if (datastore === undefined) throw new VmshiftError("INVALID_ARGUMENT", `host ${target.id} of peer ${peer} sees no datastore; name targetStorageId`, { adapter: "vsphere", subject: vm.id });
  let at: MoRef | undefined = target.parent;
  for (let depth = 0; at && at.type !== "Datacenter" && depth < 32; depth++) {
    at = moRef((await readObject(session, content, at, ["parent"], opts))["parent"]);
  }
  const folder = at?.type === "Datacenter" ? moRef((await readObject(session, content, at, ["vmFolder"], opts))["vmFolder"]) : undefined;
  if (!folder) throw new VmshiftError("INVALID_STATE", `no datacenter VM folder above host ${target.id} of peer ${peer}`, { adapter: "vsphere" });
  return { instanceUuid: content.instanceUuid, target, pool, datastore, folder };
}
