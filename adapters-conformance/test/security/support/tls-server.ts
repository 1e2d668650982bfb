/**
 * Test support: a throw-away HTTPS server on 127.0.0.1 (ephemeral port) with a self-signed
 * certificate made at test time by the `openssl` binary, which records every request that got
 * past the TLS handshake. Also a port on 127.0.0.1 where nothing listens (connection refused).
 */
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A request the server received (so the TLS handshake succeeded). */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What the server answers to one request; status 0 drops the connection without an answer. */
export interface Answer {
  readonly status: number;
  readonly body: string;
  readonly contentType?: string;
}

/** Decides the answer to each request. */
export type Responder = (request: SeenRequest) => Answer;

/** A running server. */
export interface LocalTlsServer {
  /** `https://127.0.0.1:<port>` (no trailing slash). */
  readonly origin: string;
  /** The self-signed certificate, PEM: pass it as the CA to trust the server. */
  readonly certPem: string;
  /** SHA-256 thumbprint of the certificate, upper-case hex with colons (as Node and vCenter print it). */
  readonly thumbprint: string;
  /** Requests received so far, in order. */
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

/** A self-signed certificate (EC P-256, one day) for 127.0.0.1, made with the `openssl` binary. */
export function selfSignedCertificate(): { readonly keyPem: string; readonly certPem: string } {
  const dir = mkdtempSync(join(tmpdir(), "vmshift-tls-"));
  try {
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    return { keyPem: readFileSync(key, "utf8"), certPem: readFileSync(cert, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts an HTTPS server on 127.0.0.1 with a fresh self-signed certificate. */
export async function startTlsServer(respond: Responder): Promise<LocalTlsServer> {
  const { keyPem, certPem } = selfSignedCertificate();
  const requests: SeenRequest[] = [];
  const server = createServer({ key: keyPem, cert: certPem }, (req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const seen: SeenRequest = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      requests.push(seen);
      const answer = respond(seen);
      if (answer.status === 0) {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, { "Content-Type": answer.contentType ?? "application/json", Connection: "close" });
      res.end(answer.body);
    });
  });
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    certPem,
    thumbprint: new X509Certificate(certPem).fingerprint256,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that was free a moment ago and has nothing listening (connection refused). */
export async function refusedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
