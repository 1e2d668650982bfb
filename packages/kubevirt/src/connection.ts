/**
 * Where the adapter connects: a kubeconfig loaded by @kubernetes/client-node's KubeConfig
 * (current or named context, bearer token, client certificate, CA bundle, exec credential plugins,
 * in-cluster service account). TLS verification stays on unless the kubeconfig's cluster says
 * `insecure-skip-tls-verify: true` or the caller sets `insecureSkipTlsVerify`.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { VmshiftError } from "@vmshift/core";

/** How to find the cluster. The first source given wins: `kubeconfigYaml`, `kubeconfigPath`, `inCluster`, then the defaults. */
export interface KubevirtConnectionOptions {
  /** Kubeconfig text (YAML or JSON). */
  readonly kubeconfigYaml?: string;
  /** A kubeconfig file. */
  readonly kubeconfigPath?: string;
  /** Use the pod's service account (`/var/run/secrets/kubernetes.io/serviceaccount`). */
  readonly inCluster?: boolean;
  /** Context to use instead of the kubeconfig's current one. */
  readonly context?: string;
  /** Turns TLS verification off for this connection. Default false. Named so it is never an accident. */
  readonly insecureSkipTlsVerify?: boolean;
}

/**
 * Loads a kubeconfig. Without an explicit source it follows client-node's order (`$KUBECONFIG`,
 * `~/.kube/config`, in-cluster) but, unlike it, refuses to fall back to `http://localhost:8080`.
 * Throws `INVALID_ARGUMENT` when no cluster can be found or the context does not exist.
 */
export function loadKubeConfig(options: KubevirtConnectionOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (options.kubeconfigYaml !== undefined) kc.loadFromString(options.kubeconfigYaml);
    else if (options.kubeconfigPath !== undefined) kc.loadFromFile(options.kubeconfigPath);
    else if (options.inCluster) kc.loadFromCluster();
    else kc.loadFromDefault();
  } catch (error) {
    throw new VmshiftError("INVALID_ARGUMENT", `could not load the kubeconfig: ${error instanceof Error ? error.message : String(error)}`, { adapter: "kubevirt", operation: "connect", cause: error });
  }
  if (options.context !== undefined) {
    if (!kc.getContextObject(options.context)) {
      throw new VmshiftError("INVALID_ARGUMENT", `the kubeconfig has no context ${JSON.stringify(options.context)}`, { adapter: "kubevirt", operation: "connect" });
    }
    kc.setCurrentContext(options.context);
  }
  const cluster = kc.getCurrentCluster();
  const implicit = options.kubeconfigYaml === undefined && options.kubeconfigPath === undefined && !options.inCluster;
  if (!cluster || (implicit && cluster.name === "cluster" && cluster.server === "http://localhost:8080")) {
    throw new VmshiftError("INVALID_ARGUMENT", "no Kubernetes cluster configured (set KUBECONFIG, pass kubeconfigPath, or run in a cluster)", { adapter: "kubevirt", operation: "connect" });
  }
  if (options.insecureSkipTlsVerify) {
    const clusters = kc.getClusters().map((c) => (c.name === cluster.name ? { ...c, skipTLSVerify: true } : c));
    const replaced = new KubeConfig();
    replaced.loadFromOptions({ clusters, users: kc.getUsers(), contexts: kc.getContexts(), currentContext: kc.getCurrentContext() });
    return replaced;
  }
  return kc;
}
