/**
 * TLS for vCenter connections: verification on by default, a pinned SHA-256 certificate thumbprint
 * instead of a CA, or (explicitly) no verification.
 */
import type { ClientRequestArgs } from "node:http";
import type https from "node:https";
import type { ConnectionOptions, PeerCertificate } from "node:tls";
import type { Duplex } from "node:stream";
import { VmshiftError, quietAgent } from "@vmshift/core";

// getBuiltinModule rather than `import`: no ESM facade (see transport.ts).
const nodeHttps = process.getBuiltinModule("node:https");
const nodeTls = process.getBuiltinModule("node:tls");

/** TLS choices; at most one of `thumbprint` and `insecureSkipTlsVerify`. */
export interface TlsOptions {
  /** SHA-256 thumbprint of the server certificate, hex with or without colons (as vCenter shows it). */
  readonly thumbprint?: string;
  /** Accept any certificate. Default false. */
  readonly insecureSkipTlsVerify?: boolean;
  /** Extra CA certificates (PEM) for normal verification. */
  readonly ca?: string | Buffer;
}

/** Normalises a thumbprint to 64 lower-case hex digits; `INVALID_ARGUMENT` unless it is SHA-256. */
export function normalizeThumbprint(value: string): string {
  const hex = value.replace(/[:\s]/g, "").toLowerCase();
  if (/^[0-9a-f]{40}$/.test(hex)) {
    throw new VmshiftError("INVALID_ARGUMENT", "thumbprint is a SHA-1 thumbprint; pin the SHA-256 thumbprint of the certificate instead", { adapter: "vsphere" });
  }
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new VmshiftError("INVALID_ARGUMENT", "thumbprint must be the SHA-256 thumbprint of the certificate: 64 hex digits, colons optional", { adapter: "vsphere" });
  }
  return hex;
}

/**
 * An HTTPS agent that accepts exactly the certificate whose SHA-256 thumbprint is pinned. The
 * socket is handed to the HTTP client only after the check, so no request byte reaches another server.
 */
export class PinnedAgent extends nodeHttps.Agent {
  readonly #pin: string;

  constructor(thumbprint: string, options: https.AgentOptions = {}) {
    super({ ...options, keepAlive: true, rejectUnauthorized: false });
    this.#pin = normalizeThumbprint(thumbprint);
  }

  override createConnection(options: ClientRequestArgs, callback?: (error: Error | null, socket: Duplex) => void): Duplex | null | undefined {
    return connectChecked(options, callback, (certificate) => {
      const seen = (certificate.fingerprint256 ?? "").replace(/:/g, "").toLowerCase();
      return seen === this.#pin ? undefined : new VmshiftError("TRANSPORT", `the server certificate's SHA-256 thumbprint ${seen || "(none)"} does not match the pinned one`, { adapter: "vsphere", retryable: false });
    });
  }
}

/**
 * An agent's `createConnection` for a pinned certificate: the TLS socket is handed to the HTTP
 * client (`callback`) only once `check` accepted the peer's certificate, else destroyed with the
 * error `check` returned — so no request byte reaches another server.
 */
export function connectChecked(options: ClientRequestArgs, callback: ((error: Error | null, socket: Duplex) => void) | undefined, check: (certificate: PeerCertificate) => Error | undefined): undefined {
  const socket = nodeTls.connect({ ...(options as ConnectionOptions), rejectUnauthorized: false });
  let settled = false;
  const settle = (error: Error | null) => {
    if (settled) return;
    settled = true;
    if (error) socket.destroy();
    callback?.(error, socket);
  };
  socket.once("secureConnect", () => settle(check(socket.getPeerCertificate()) ?? null));
  socket.once("error", (error) => settle(error));
  return undefined;
}

/**
 * The HTTPS agent for these options (keep-alive; verification per the options). Quiet: its sockets
 * are created without the request's headers, so NODE_DEBUG=net/tls cannot print the session cookie.
 */
export function httpsAgentFor(options: TlsOptions): https.Agent {
  if (options.thumbprint !== undefined && options.insecureSkipTlsVerify) {
    throw new VmshiftError("INVALID_ARGUMENT", "give either thumbprint or insecureSkipTlsVerify, not both", { adapter: "vsphere" });
  }
  if (options.thumbprint !== undefined) return quietAgent(new PinnedAgent(options.thumbprint));
  return quietAgent(new nodeHttps.Agent({ keepAlive: true, rejectUnauthorized: !options.insecureSkipTlsVerify, ...(options.ca === undefined ? {} : { ca: options.ca }) }));
}
