/** Configuration of the libvirt adapter: one entry per libvirt connection, each a host. */
import { VmshiftError } from "@vmshift/core";
import { checkValue } from "./argv.ts";

/** One libvirt connection = one vmshift host. */
export interface LibvirtHostConfig {
  /** vmshift host id (stable, chosen by the caller), e.g. `kvm-01`. */
  readonly id: string;
  /** Connection URI used by this process, e.g. `qemu:///system`, `qemu+ssh://kvm-01/system`, `qemu+tcp://kvm-01/system`. */
  readonly uri: string;
  /**
   * URI the *source daemon* uses to reach this host in a peer-to-peer migration. Default `uri`.
   * Must name the host as seen from the other daemon (libvirt refuses a `localhost` destination).
   */
  readonly peerUri?: string;
  /** Address for the QEMU migration stream (`--migrateuri tcp://<address>:<port>`). Default: libvirt chooses. */
  readonly migrationAddress?: string;
  /** Display name. Default: `id`. */
  readonly name?: string;
  /** Labels copied onto the Host. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Defaults applied to migrations (all optional). */
export interface LibvirtMigrationDefaults {
  /** Cold migration: guest shutdown grace before a hard power-off, ms. Default 60 000. */
  readonly shutdownTimeoutMs?: number;
  /**
   * First port of a range used with `migrationAddress`, in turn. Default: none — the destination
   * daemon allocates a free port itself (safer: two adapter instances never pick the same one).
   */
  readonly migrationPortFirst?: number;
  /** Number of ports in that range. Default 100. */
  readonly migrationPortCount?: number;
  /**
   * Non-convergence rule for switching to post-copy (when allowed): the job has run at least
   * `minElapsedMs` (default 3000) and `minIterations` pre-copy rounds (default 4) while the
   * remaining bytes did not shrink below what `maxDowntimeMs` allows at the measured bandwidth.
   */
  readonly postCopyAfter?: { readonly minElapsedMs?: number; readonly minIterations?: number };
  /**
   * After a restart, how long an attached migration with no visible job yet counts as "starting"
   * rather than "ended without moving", ms from its start. Default 15 000.
   */
  readonly attachGraceMs?: number;
  /** How long `startMigration` waits for libvirt to show the job before answering `requested`, ms. Default 5000. */
  readonly startWaitMs?: number;
  /** Auto-converge throttle start and step, percent. Default 50 and 20 (the defaults 20/10 are too gentle under TCG). */
  readonly autoConverge?: { readonly initialPercent?: number; readonly incrementPercent?: number };
}

/** Validates host configs: unique ids, URIs that can go to argv. */
export function validateHosts(hosts: readonly LibvirtHostConfig[]): void {
  if (!Array.isArray(hosts) || hosts.length === 0) throw invalid("hosts must list at least one libvirt connection");
  const seen = new Set<string>();
  for (const host of hosts) {
    if (typeof host.id !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(host.id)) throw invalid(`host id ${JSON.stringify(host.id)} must match [A-Za-z0-9][A-Za-z0-9._-]{0,62}`);
    if (seen.has(host.id)) throw invalid(`host id ${host.id} is configured twice`);
    seen.add(host.id);
    checkValue(`uri of host ${host.id}`, host.uri);
    if (host.peerUri !== undefined) checkValue(`peerUri of host ${host.id}`, host.peerUri);
    if (host.migrationAddress !== undefined && !/^[A-Za-z0-9.:[\]-]+$/.test(host.migrationAddress)) throw invalid(`migrationAddress of host ${host.id} must be a host name or IP address`);
  }
}

function invalid(reason: string): VmshiftError {
  return new VmshiftError("INVALID_ARGUMENT", reason, { adapter: "libvirt", operation: "adapter.create" });
}
