/**
 * The TLS settings of a connection from the kubeconfig: CA bundle, client certificate and key
 * (inline data wins over files; files are read once), the name checked in the server's certificate,
 * and whether to verify at all.
 */
import { configError, describe } from "./problems.ts";
import type { KubeconfigSystem } from "./system.ts";
import type { KubeClusterConfig, KubeUserConfig } from "./types.ts";

/** TLS options for Node's `https.Agent`. */
export interface TlsMaterial {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly servername?: string;
  readonly rejectUnauthorized: boolean;
}

async function pem(data: string | undefined, file: string | undefined, what: string, source: string, system: KubeconfigSystem): Promise<string | undefined> {
  if (data !== undefined) return data;
  if (file === undefined) return undefined;
  try {
    return (await system.readFile(file)).toString("utf8");
  } catch (error) {
    throw configError(`cannot read the ${what} file ${file} (${describe(error)})`, source);
  }
}

/** Reads the files and returns the settings. Throws `INVALID_ARGUMENT` when a file cannot be read. */
export async function loadTlsMaterial(cluster: KubeClusterConfig, user: KubeUserConfig, source: string, system: KubeconfigSystem): Promise<TlsMaterial> {
  const insecure = cluster.insecureSkipTlsVerify;
  const [ca, cert, key] = await Promise.all([
    insecure ? undefined : pem(cluster.certificateAuthorityData, cluster.certificateAuthorityFile, "certificate-authority", source, system),
    pem(user.clientCertificateData, user.clientCertificateFile, "client-certificate", source, system),
    pem(user.clientKeyData, user.clientKeyFile, "client-key", source, system),
  ]);
  return {
    rejectUnauthorized: !insecure,
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(cluster.tlsServerName ? { servername: cluster.tlsServerName } : {}),
  };
}
