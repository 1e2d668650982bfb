/**
 * The in-cluster configuration of a pod: `KUBERNETES_SERVICE_HOST`/`KUBERNETES_SERVICE_PORT`, the
 * service account's token (a file the kubelet rotates, so it is read again when it changes), CA
 * and namespace under `/var/run/secrets/kubernetes.io/serviceaccount`.
 */
import { join } from "node:path";
import { configError } from "./problems.ts";
import type { KubeconfigSystem } from "./system.ts";
import type { KubeConfig } from "./types.ts";

/** Where the service account is mounted. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** `https://host:port`, an IPv6 host in brackets. */
export function serviceUrl(host: string, port: string): string {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  return `https://${bare.includes(":") ? `[${bare}]` : bare}:${port}`;
}

/** True when the process runs in a pod with a service account (the host variables and the token file exist). */
export function inClusterAvailable(system: KubeconfigSystem, dir = SERVICE_ACCOUNT_DIR): boolean {
  return Boolean(system.env["KUBERNETES_SERVICE_HOST"]) && Boolean(system.env["KUBERNETES_SERVICE_PORT"]) && system.existsSync(join(dir, "token"));
}

/** The in-cluster configuration. Throws `INVALID_ARGUMENT` outside a pod. */
export function inClusterConfig(system: KubeconfigSystem, dir = SERVICE_ACCOUNT_DIR): KubeConfig {
  const host = system.env["KUBERNETES_SERVICE_HOST"];
  const port = system.env["KUBERNETES_SERVICE_PORT"];
  if (!host || !port) throw configError("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set (not running in a pod?)", "in-cluster");
  const tokenFile = join(dir, "token");
  if (!system.existsSync(tokenFile)) throw configError(`no service-account token at ${tokenFile}`, "in-cluster");
  const caFile = join(dir, "ca.crt");
  let namespace = system.env["POD_NAMESPACE"];
  if (!namespace && system.existsSync(join(dir, "namespace"))) namespace = system.readFileSync(join(dir, "namespace")).trim();
  return {
    source: "in-cluster",
    contextName: "in-cluster",
    ...(namespace ? { namespace } : {}),
    cluster: { name: "in-cluster", server: serviceUrl(host, port), insecureSkipTlsVerify: false, ...(system.existsSync(caFile) ? { certificateAuthorityFile: caFile } : {}) },
    user: { name: "service-account", tokenFile },
  };
}
