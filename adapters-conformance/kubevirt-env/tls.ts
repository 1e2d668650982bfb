/**
 * A throwaway TLS identity for the environment: a self-signed certificate for 127.0.0.1, made
 * once per process with the `openssl` CLI into a private temp directory and never written into the
 * repository. The kubeconfig carries the certificate as its CA, so the adapter talks HTTPS with
 * verification on, as against a real cluster.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** PEM texts. */
export interface TlsIdentity {
  readonly cert: string;
  readonly key: string;
}

let cached: TlsIdentity | undefined;

/** The identity, made on first use. Throws with a clear message when `openssl` is missing. */
export function localTlsIdentity(): TlsIdentity {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), "kubevirt-env-tls-"));
  try {
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=kubevirt-env", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
      { stdio: "pipe" },
    );
    cached = { cert: readFileSync(join(dir, "cert.pem"), "utf8"), key: readFileSync(join(dir, "key.pem"), "utf8") };
    return cached;
  } catch (error) {
    throw new Error(`kubevirt-env needs the openssl CLI to make its local TLS certificate (apt-get install openssl): ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
