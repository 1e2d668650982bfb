/**
 * Finding the kubeconfig and selecting one context, in kubectl's order: the text or file the caller
 * gives; else the files of `$KUBECONFIG` merged (first wins); else `~/.kube/config`; else the pod's
 * service account. There is no fallback to an unauthenticated `http://localhost:8080`.
 */
import { dirname, join } from "node:path";
import { toClusterConfig } from "./cluster.ts";
import { inClusterAvailable, inClusterConfig } from "./in-cluster.ts";
import { mergeKubeconfigs } from "./merge.ts";
import { type KubeconfigDocument, asText, isBlank, parseKubeconfig } from "./parse.ts";
import { configError, describe } from "./problems.ts";
import type { KubeconfigSystem } from "./system.ts";
import type { KubeConfig, KubeUserConfig } from "./types.ts";
import { toUserConfig } from "./user.ts";

/** Where to find the cluster; the first source given wins (`kubeconfigYaml`, `kubeconfigPath`, `inCluster`), then the defaults. */
export interface KubeconfigSelection {
  readonly kubeconfigYaml?: string;
  readonly kubeconfigPath?: string;
  readonly inCluster?: boolean;
  readonly context?: string;
  readonly insecureSkipTlsVerify?: boolean;
}

function readConfigFile(path: string, system: KubeconfigSystem): KubeconfigDocument {
  let text: string;
  try {
    text = system.readFileSync(path);
  } catch (error) {
    throw configError(`cannot read the file (${describe(error)})`, path);
  }
  return parseKubeconfig(text, path, dirname(path));
}

function isEmpty(doc: KubeconfigDocument): boolean {
  return doc.clusters.size === 0 && doc.users.size === 0 && doc.contexts.size === 0 && doc.currentContext === undefined;
}

/** The files named by `$KUBECONFIG`, merged; undefined when it is unset or names no existing file. */
function fromEnvironment(system: KubeconfigSystem): KubeconfigDocument | undefined {
  const value = system.env["KUBECONFIG"];
  if (!value) return undefined;
  const paths = [...new Set(value.split(system.pathDelimiter).filter((p) => p.length > 0))];
  // Files that do not exist are skipped, as kubectl does; unreadable or malformed ones are errors.
  const documents = paths.filter((p) => system.existsSync(p)).map((p) => readConfigFile(p, system));
  if (documents.length === 0) return undefined;
  return documents.length === 1 ? documents[0] : mergeKubeconfigs(documents, `$KUBECONFIG (${paths.join(system.pathDelimiter)})`);
}

/** Selects a context of a kubeconfig and resolves its cluster and user. */
export function selectContext(doc: KubeconfigDocument, context: string | undefined): KubeConfig {
  const contextName = context ?? doc.currentContext;
  const names = [...doc.contexts.keys()].map((n) => JSON.stringify(n)).join(", ") || "none";
  if (contextName === undefined) throw configError(`no current-context is set; pass connection.context (contexts: ${names})`, doc.source);
  const entry = doc.contexts.get(contextName);
  if (!entry) throw configError(`no context ${JSON.stringify(contextName)} (contexts: ${names})`, doc.source);
  const what = `context ${JSON.stringify(contextName)}`;
  const clusterName = asText(entry.body["cluster"], `${what}.cluster`, entry.source);
  if (clusterName === undefined) throw configError(`${what} names no cluster`, entry.source);
  const cluster = doc.clusters.get(clusterName);
  if (!cluster) throw configError(`${what} refers to cluster ${JSON.stringify(clusterName)}, which is not defined`, doc.source);
  const userName = asText(entry.body["user"], `${what}.user`, entry.source);
  let user: KubeUserConfig = { name: "" };
  if (userName !== undefined) {
    const found = doc.users.get(userName);
    if (!found) throw configError(`${what} refers to user ${JSON.stringify(userName)}, which is not defined`, doc.source);
    user = toUserConfig(found);
  }
  const namespace = isBlank(entry.body["namespace"]) ? undefined : asText(entry.body["namespace"], `${what}.namespace`, entry.source);
  return { source: doc.source, contextName, ...(namespace ? { namespace } : {}), cluster: toClusterConfig(cluster), user };
}

function located(options: KubeconfigSelection, system: KubeconfigSystem): KubeConfig {
  if (options.kubeconfigYaml !== undefined) return selectContext(parseKubeconfig(options.kubeconfigYaml, "kubeconfig text", system.cwd), options.context);
  if (options.kubeconfigPath !== undefined) return selectContext(readConfigFile(options.kubeconfigPath, system), options.context);
  if (options.inCluster) return inClusterConfig(system);
  const fromEnv = fromEnvironment(system);
  if (fromEnv && !isEmpty(fromEnv)) return selectContext(fromEnv, options.context);
  const home = join(system.homeDir, ".kube", "config");
  // As with kubectl, a set $KUBECONFIG replaces ~/.kube/config even when it names no existing file.
  if (!system.env["KUBECONFIG"] && system.existsSync(home)) {
    const doc = readConfigFile(home, system);
    if (!isEmpty(doc)) return selectContext(doc, options.context);
  }
  if (inClusterAvailable(system)) return inClusterConfig(system);
  throw configError("no Kubernetes cluster configured (set KUBECONFIG, create ~/.kube/config, pass kubeconfigPath or kubeconfigYaml, or run in a pod)");
}

/**
 * Loads the kubeconfig and selects the context (`options.context`, else `current-context`).
 * Throws `INVALID_ARGUMENT` when no cluster can be found, a file is malformed, the context, its
 * cluster or its user is missing, or a setting cannot be honoured (auth-provider, proxy-url,
 * impersonation, an interactive exec plugin).
 */
export function loadKubeconfigFrom(options: KubeconfigSelection, system: KubeconfigSystem): KubeConfig {
  const config = located(options, system);
  return options.insecureSkipTlsVerify ? { ...config, cluster: { ...config.cluster, insecureSkipTlsVerify: true } } : config;
}
