/** A kubeconfig `cluster` entry → {@link KubeClusterConfig}: server URL, CA, TLS name and verification. */
import { isAbsolute, join } from "node:path";
import { type RawEntry, asBool, asList, asMap, asText, isBlank } from "./parse.ts";
import { configError } from "./problems.ts";
import type { KubeClusterConfig } from "./types.ts";

/** Name of the cluster extension whose `extension` exec plugins receive with `provideClusterInfo`. */
export const EXEC_EXTENSION = "client.authentication.k8s.io/exec";

/** A path from the kubeconfig, absolute (relative ones against the kubeconfig's directory). */
export function resolvePath(path: string, baseDir: string): string {
  return isAbsolute(path) ? path : join(baseDir, path);
}

/** Decodes a `*-data` field (base64 of PEM text); the message never shows the value. */
export function decodeData(value: string, what: string, source: string): string {
  const compact = value.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw configError(`${what} is not base64`, source);
  return Buffer.from(compact, "base64").toString("utf8");
}

/** Checks `server`: an absolute `https://` or `http://` URL. */
export function checkServer(server: string | undefined, what: string, source: string): string {
  if (server === undefined) throw configError(`${what} has no server`, source);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw configError(`${what}: server ${JSON.stringify(server)} must be an https:// or http:// URL`, source);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw configError(`${what}: server ${JSON.stringify(server)} must be an https:// or http:// URL`, source);
  if (url.username || url.password) throw configError(`${what}: the server URL must not carry credentials; put them in the user`, source);
  return server;
}

/** Converts the selected cluster. Throws `INVALID_ARGUMENT` for values the adapter cannot use. */
export function toClusterConfig(entry: RawEntry): KubeClusterConfig {
  const { body, source } = entry;
  const what = `cluster ${JSON.stringify(entry.name)}`;
  const server = checkServer(asText(body["server"], `${what}.server`, source), what, source);
  if (!isBlank(body["proxy-url"])) {
    throw configError(`${what} sets proxy-url, which the KubeVirt adapter does not support; reach the API server directly (or run \`kubectl proxy\` and use its http:// address as the server)`, source);
  }
  const caData = asText(body["certificate-authority-data"], `${what}.certificate-authority-data`, source);
  const caFile = asText(body["certificate-authority"], `${what}.certificate-authority`, source);
  const tlsServerName = asText(body["tls-server-name"], `${what}.tls-server-name`, source);
  const extensions = asList(body["extensions"], `${what}.extensions`, source).map((e, i) => asMap(e, `${what}.extensions[${i}]`, source));
  const exec = extensions.find((e) => e["name"] === EXEC_EXTENSION);
  return {
    name: entry.name,
    server,
    insecureSkipTlsVerify: asBool(body["insecure-skip-tls-verify"], `${what}.insecure-skip-tls-verify`, source) ?? false,
    ...(caData === undefined ? {} : { certificateAuthorityData: decodeData(caData, `${what}.certificate-authority-data`, source) }),
    ...(caFile === undefined ? {} : { certificateAuthorityFile: resolvePath(caFile, entry.baseDir) }),
    ...(tlsServerName === undefined ? {} : { tlsServerName }),
    ...(exec && exec["extension"] !== undefined ? { execExtension: exec["extension"] } : {}),
  };
}
