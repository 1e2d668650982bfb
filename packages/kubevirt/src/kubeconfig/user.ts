/**
 * A kubeconfig `user` entry → {@link KubeUserConfig}: bearer token (inline or file), client
 * certificate, basic auth, exec plugin. Auth providers (the removed in-tree gcp/azure/oidc
 * helpers) and impersonation are refused with a clear `INVALID_ARGUMENT` instead of being ignored.
 */
import { isAbsolute, join } from "node:path";
import { decodeData, resolvePath } from "./cluster.ts";
import { type RawEntry, asBool, asList, asMap, asText, isBlank } from "./parse.ts";
import { configError } from "./problems.ts";
import type { KubeExecApiVersion, KubeExecConfig, KubeExecInteractiveMode, KubeUserConfig } from "./types.ts";

const API_VERSIONS: readonly KubeExecApiVersion[] = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"];
const MODES: readonly KubeExecInteractiveMode[] = ["Never", "IfAvailable", "Always"];

/** A command with a path separator is a path; a relative one resolves against the kubeconfig's directory. A bare name is looked up in PATH. */
function resolveCommand(command: string, baseDir: string): string {
  if (isAbsolute(command) || !/[/\\]/.test(command)) return command;
  return join(baseDir, command);
}

function toExec(raw: unknown, what: string, entry: RawEntry): KubeExecConfig {
  const { source } = entry;
  const body = asMap(raw, `${what}.exec`, source);
  const command = asText(body["command"], `${what}.exec.command`, source);
  if (command === undefined) throw configError(`${what}: exec has no command`, source);
  const apiVersion = asText(body["apiVersion"], `${what}.exec.apiVersion`, source);
  if (apiVersion === undefined) throw configError(`${what}: exec has no apiVersion (use client.authentication.k8s.io/v1)`, source);
  if (!(API_VERSIONS as readonly string[]).includes(apiVersion)) {
    throw configError(`${what}: exec apiVersion ${JSON.stringify(apiVersion)} is not supported (use client.authentication.k8s.io/v1 or v1beta1)`, source);
  }
  const mode = asText(body["interactiveMode"], `${what}.exec.interactiveMode`, source);
  if (mode === undefined && apiVersion === "client.authentication.k8s.io/v1") throw configError(`${what}: exec interactiveMode is required with client.authentication.k8s.io/v1 (Never or IfAvailable)`, source);
  if (mode !== undefined && !(MODES as readonly string[]).includes(mode)) throw configError(`${what}: exec interactiveMode ${JSON.stringify(mode)} is not one of Never, IfAvailable, Always`, source);
  if (mode === "Always") throw configError(`${what}: the exec plugin needs a terminal (interactiveMode: Always), which the KubeVirt adapter never gives a plugin`, source);
  const args = asList(body["args"], `${what}.exec.args`, source).map((a, i) => asText(a, `${what}.exec.args[${i}]`, source) ?? "");
  const env = asList(body["env"], `${what}.exec.env`, source).map((e, i) => {
    const pair = asMap(e, `${what}.exec.env[${i}]`, source);
    const name = asText(pair["name"], `${what}.exec.env[${i}].name`, source);
    if (name === undefined) throw configError(`${what}: exec env[${i}] has no name`, source);
    return { name, value: asText(pair["value"], `${what}.exec.env[${i}].value`, source) ?? "" };
  });
  const installHint = asText(body["installHint"], `${what}.exec.installHint`, source);
  return {
    command: resolveCommand(command, entry.baseDir),
    args,
    env,
    apiVersion: apiVersion as KubeExecApiVersion,
    interactiveMode: (mode ?? "IfAvailable") as KubeExecInteractiveMode,
    provideClusterInfo: asBool(body["provideClusterInfo"], `${what}.exec.provideClusterInfo`, source) ?? false,
    ...(installHint === undefined ? {} : { installHint }),
  };
}

/** Converts the selected user. Throws `INVALID_ARGUMENT` for settings the adapter cannot honour. */
export function toUserConfig(entry: RawEntry): KubeUserConfig {
  const { body, source } = entry;
  const what = `user ${JSON.stringify(entry.name)}`;
  const text = (key: string) => asText(body[key], `${what}.${key}`, source);
  const provider = body["auth-provider"];
  if (!isBlank(provider)) {
    const name = asText(asMap(provider, `${what}.auth-provider`, source)["name"], `${what}.auth-provider.name`, source) ?? "(unnamed)";
    throw configError(`${what}: auth-provider ${JSON.stringify(name)} is not supported; use an exec plugin`, source);
  }
  for (const key of ["as", "as-uid", "as-groups", "as-user-extra"]) {
    if (!isBlank(body[key])) throw configError(`${what}: impersonation (${key}) is not supported by the KubeVirt adapter`, source);
  }
  const token = text("token");
  const tokenFile = text("tokenFile");
  const username = text("username");
  const password = text("password");
  if ((token !== undefined || tokenFile !== undefined) && (username !== undefined || password !== undefined)) {
    throw configError(`${what} has both a bearer token and a username/password; only one authentication method is allowed`, source);
  }
  const certData = text("client-certificate-data");
  const certFile = text("client-certificate");
  const keyData = text("client-key-data");
  const keyFile = text("client-key");
  const hasCert = certData !== undefined || certFile !== undefined;
  const hasKey = keyData !== undefined || keyFile !== undefined;
  if (hasCert !== hasKey) throw configError(`${what} has a client ${hasCert ? "certificate without a key" : "key without a certificate"}; both are needed`, source);
  return {
    name: entry.name,
    ...(token === undefined ? {} : { token }),
    ...(tokenFile === undefined ? {} : { tokenFile: resolvePath(tokenFile, entry.baseDir) }),
    ...(certData === undefined ? {} : { clientCertificateData: decodeData(certData, `${what}.client-certificate-data`, source) }),
    ...(certFile === undefined ? {} : { clientCertificateFile: resolvePath(certFile, entry.baseDir) }),
    ...(keyData === undefined ? {} : { clientKeyData: decodeData(keyData, `${what}.client-key-data`, source) }),
    ...(keyFile === undefined ? {} : { clientKeyFile: resolvePath(keyFile, entry.baseDir) }),
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    ...(isBlank(body["exec"]) ? {} : { exec: toExec(body["exec"], what, entry) }),
  };
}
