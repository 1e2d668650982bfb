/**
 * A kubeconfig exec credential plugin for the environment: prints an ExecCredential
 * (client.authentication.k8s.io/v1) with the token read from the file named by
 * $KUBEVIRT_ENV_TOKEN_FILE, valid for $KUBEVIRT_ENV_TOKEN_TTL_MS (default 1000) so that clients
 * fetch it again soon after the environment rotates it.
 */
import { readFileSync } from "node:fs";

const token = readFileSync(process.env["KUBEVIRT_ENV_TOKEN_FILE"] ?? "", "utf8").trim();
const ttlMs = Number(process.env["KUBEVIRT_ENV_TOKEN_TTL_MS"] ?? "1000");
process.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token, expirationTimestamp: new Date(Date.now() + ttlMs).toISOString() } }));
