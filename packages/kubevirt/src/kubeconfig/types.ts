/**
 * The kubeconfig as the adapter uses it: one context resolved to its cluster, user and namespace.
 * Field meanings follow the kubeconfig format (`clientcmd/api/v1`, see
 * https://kubernetes.io/docs/reference/config-api/kubeconfig.v1/). File paths are absolute:
 * relative ones were resolved against the directory of the kubeconfig file that named them.
 */

/** `client.authentication.k8s.io` versions of the exec credential protocol the adapter speaks. */
export type KubeExecApiVersion = "client.authentication.k8s.io/v1" | "client.authentication.k8s.io/v1beta1";

/** An exec plugin's relationship with standard input. The adapter never gives plugins a terminal. */
export type KubeExecInteractiveMode = "Never" | "IfAvailable" | "Always";

/** A user's `exec` credential plugin (https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins). */
export interface KubeExecConfig {
  /** The program: a name looked up in `PATH`, or a path (relative ones resolved against the kubeconfig's directory). */
  readonly command: string;
  readonly args: readonly string[];
  /** Variables added to the adapter's own environment for the plugin. */
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly apiVersion: KubeExecApiVersion;
  /** Required by v1; v1beta1 defaults to `IfAvailable`. `Always` is refused when the kubeconfig is loaded. */
  readonly interactiveMode: KubeExecInteractiveMode;
  /** Pass the cluster (server, CA, TLS name, the cluster's `client.authentication.k8s.io/exec` extension) in `KUBERNETES_EXEC_INFO`. Default false. */
  readonly provideClusterInfo: boolean;
  /** Shown when the program cannot be found. */
  readonly installHint?: string;
}

/** The cluster of the selected context. */
export interface KubeClusterConfig {
  /** Name in the kubeconfig (`in-cluster` for the service-account configuration). */
  readonly name: string;
  /** API server URL, `https://…` or `http://…` (e.g. `kubectl proxy`). */
  readonly server: string;
  /** PEM CA bundle from `certificate-authority-data` (wins over the file). */
  readonly certificateAuthorityData?: string;
  /** `certificate-authority`: a PEM CA bundle file. */
  readonly certificateAuthorityFile?: string;
  /** `insecure-skip-tls-verify`. Default false. */
  readonly insecureSkipTlsVerify: boolean;
  /** `tls-server-name`: name sent in SNI and checked in the server's certificate instead of the server's host. */
  readonly tlsServerName?: string;
  /** The `extension` of the cluster's `client.authentication.k8s.io/exec` extension, passed to exec plugins with `provideClusterInfo`. */
  readonly execExtension?: unknown;
}

/**
 * The user of the selected context. At most one of bearer token (`token`/`tokenFile`), basic auth
 * and exec plugin authenticates; a client certificate may come with any of them.
 */
export interface KubeUserConfig {
  /** Name in the kubeconfig; empty for a context without a user (anonymous, e.g. behind `kubectl proxy`). */
  readonly name: string;
  /** Static bearer token. */
  readonly token?: string;
  /** File holding the bearer token; read again when it changes (rotated service-account tokens). Wins over `token`. */
  readonly tokenFile?: string;
  /** PEM client certificate (`client-certificate-data`, wins over the file). */
  readonly clientCertificateData?: string;
  /** `client-certificate`: PEM client certificate file. */
  readonly clientCertificateFile?: string;
  /** PEM client key (`client-key-data`, wins over the file). */
  readonly clientKeyData?: string;
  /** `client-key`: PEM client key file. */
  readonly clientKeyFile?: string;
  /** HTTP basic authentication. */
  readonly username?: string;
  readonly password?: string;
  /** Exec credential plugin. */
  readonly exec?: KubeExecConfig;
}

/** A kubeconfig with one context selected: what the transport needs to reach and authenticate to the API server. */
export interface KubeConfig {
  /** Where it came from, for messages: file paths, `$KUBECONFIG`, `kubeconfig text`, or `in-cluster`. */
  readonly source: string;
  /** The selected context's name (`in-cluster` for the service-account configuration). */
  readonly contextName: string;
  /** The context's namespace (in-cluster: the pod's), when set. */
  readonly namespace?: string;
  readonly cluster: KubeClusterConfig;
  readonly user: KubeUserConfig;
}
