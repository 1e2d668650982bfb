/**
 * Where the adapter connects: a kubeconfig (text, a file, `$KUBECONFIG`'s files merged,
 * `~/.kube/config`) or the pod's service account, read by the adapter's own loader
 * (`kubeconfig/`). TLS verification stays on unless the kubeconfig's cluster says
 * `insecure-skip-tls-verify: true` or the caller sets `insecureSkipTlsVerify`.
 */
import { loadKubeconfigFrom } from "./kubeconfig/load.ts";
import { type KubeconfigSystem, nodeSystem } from "./kubeconfig/system.ts";
import type { KubeConfig } from "./kubeconfig/types.ts";

/** How to find the cluster. The first source given wins: `kubeconfigYaml`, `kubeconfigPath`, `inCluster`, then the defaults. */
export interface KubevirtConnectionOptions {
  /** Kubeconfig text (YAML or JSON). Relative paths in it resolve against the working directory. */
  readonly kubeconfigYaml?: string;
  /** A kubeconfig file. Relative paths in it resolve against its directory. */
  readonly kubeconfigPath?: string;
  /** Use the pod's service account (`/var/run/secrets/kubernetes.io/serviceaccount`, `KUBERNETES_SERVICE_HOST`/`_PORT`). */
  readonly inCluster?: boolean;
  /** Context to use instead of the kubeconfig's `current-context`. */
  readonly context?: string;
  /** Turns TLS verification off for this connection. Default false. Named so it is never an accident. */
  readonly insecureSkipTlsVerify?: boolean;
}

/**
 * Loads a kubeconfig and selects its context. Without an explicit source it follows kubectl's
 * order: the files of `$KUBECONFIG` merged (the first file to set a value wins), else
 * `~/.kube/config`, else the in-cluster service account; it never falls back to
 * `http://localhost:8080`. Throws `INVALID_ARGUMENT` when no cluster can be found, the context (or
 * its cluster or user) does not exist, or the kubeconfig asks for something the adapter does not
 * support (auth-provider, proxy-url, impersonation, an interactive exec plugin). Messages never
 * contain the kubeconfig's secrets.
 *
 * `system` replaces the process environment, home directory and file system (tests).
 */
export function loadKubeConfig(options: KubevirtConnectionOptions = {}, system: KubeconfigSystem = nodeSystem()): KubeConfig {
  return loadKubeconfigFrom(options, system);
}
