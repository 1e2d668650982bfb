/**
 * TLS to an ESXi host named by an export lease's device URL. vCenter hands the host's certificate
 * thumbprint over its own authenticated connection, in `HttpNfcLeaseDeviceUrl.sslThumbprint`
 * (SHA-1, colon hex — what govmomi's nfc lease records per host and its client pins): the
 * connection accepts exactly that certificate. Without one, the host must be trusted by the
 * profile's CA (or the system's), with its name checked; a profile that skips verification skips it
 * here too. No session cookie is ever sent there (move-api.ts): the lease's ticket in the URL path
 * authorizes the download.
 */
import type { ClientRequestArgs } from "node:http";
import type https from "node:https";
import type { Duplex } from "node:stream";
import { VmshiftError, quietAgent } from "@vmshift/core";
import { type TlsOptions, connectChecked } from "./tls.ts";

// getBuiltinModule rather than `import`: no ESM facade (see transport.ts).
const nodeHttps = process.getBuiltinModule("node:https");

/** Normalises a device URL's sslThumbprint to 40 lower-case hex digits; `INVALID_ARGUMENT` unless it is SHA-1 hex. */
export function normalizeSha1Thumbprint(value: string, host: string): string {
  const hex = value.replace(/[:\s]/g, "").toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(hex)) {
    throw new VmshiftError("INVALID_ARGUMENT", `the device URL of ESXi host ${host} carries an sslThumbprint that is not a SHA-1 thumbprint (40 hex digits)`, { adapter: "vsphere", operation: "move.download", subject: host });
  }
  return hex;
}

/** Colon-separated upper-case hex, as vSphere shows thumbprints. */
const colons = (hex: string) => hex.toUpperCase().replace(/(..)(?!$)/g, "$1:");

/** An agent accepting exactly the certificate whose SHA-1 thumbprint is pinned; the socket reaches the HTTP client only after the check. */
class Sha1PinnedAgent extends nodeHttps.Agent {
  readonly #pin: string;
  readonly #host: string;

  constructor(host: string, thumbprint: string) {
    super({ keepAlive: true, rejectUnauthorized: false });
    this.#host = host;
    this.#pin = normalizeSha1Thumbprint(thumbprint, host);
  }

  override createConnection(options: ClientRequestArgs, callback?: (error: Error | null, socket: Duplex) => void): Duplex | null | undefined {
    return connectChecked(options, callback, (certificate) => {
      const seen = (certificate.fingerprint ?? "").replace(/:/g, "").toLowerCase();
      if (seen === this.#pin) return undefined;
      return new VmshiftError("TRANSPORT", `the certificate of ESXi host ${this.#host} has SHA-1 thumbprint ${seen ? colons(seen) : "(none)"}, not ${colons(this.#pin)}, the sslThumbprint vCenter gave in the export lease's device URL`, { adapter: "vsphere", operation: "move.download", subject: this.#host, retryable: false });
    });
  }
}

/**
 * The HTTPS agent for a device URL on ESXi host `host` (`host:port`): pinned to `sslThumbprint`
 * when the URL carries one, else verified against the profile's CA (`INVALID_ARGUMENT` for a
 * thumbprint that is not SHA-1).
 */
export function esxiAgentFor(host: string, sslThumbprint: string | undefined, tls: TlsOptions): https.Agent {
  if (sslThumbprint) return quietAgent(new Sha1PinnedAgent(host, sslThumbprint));
  return quietAgent(new nodeHttps.Agent({ keepAlive: true, rejectUnauthorized: !tls.insecureSkipTlsVerify, ...(tls.ca === undefined ? {} : { ca: tls.ca }) }));
}
