/**
 * What authenticates each request, from the selected user: a bearer token (its file read again when
 * it changes, else the inline one, else the exec plugin's), HTTP basic auth, and a client
 * certificate (the exec plugin's, else the kubeconfig's). A user with none of these is anonymous,
 * as behind `kubectl proxy`.
 */
import { ExecPlugin, type IssuedCredential } from "./exec.ts";
import type { KubeconfigSystem } from "./system.ts";
import { TokenFile } from "./token-file.ts";
import type { KubeClusterConfig, KubeUserConfig } from "./types.ts";

/** The credentials of one request. */
export interface RequestCredentials {
  /** `Authorization` header value, when any. */
  readonly authorization?: string;
  /** PEM client certificate and key issued by an exec plugin (the kubeconfig's own are TLS settings, see tls-material.ts). */
  readonly clientCertificate?: string;
  readonly clientKey?: string;
  /** Exact secret values sent, to mask wherever a server echoes them. */
  readonly secrets: readonly string[];
  /** The exec plugin's credential these came from. */
  readonly issued?: IssuedCredential;
  /** The token read from the token file. */
  readonly fileToken?: string;
}

/** Options of {@link CredentialSource}. */
export interface CredentialSourceOptions {
  readonly system: KubeconfigSystem;
  /** Epoch ms now (exec credential expiry). */
  readonly now: () => number;
  /** Longest run of an exec plugin, ms. Default 60 000. */
  readonly execTimeoutMs?: number;
}

/** The credentials of one kubeconfig user. */
export class CredentialSource {
  readonly #user: KubeUserConfig;
  readonly #file: TokenFile | undefined;
  readonly #exec: ExecPlugin | undefined;

  constructor(user: KubeUserConfig, cluster: KubeClusterConfig, options: CredentialSourceOptions) {
    this.#user = user;
    this.#file = user.tokenFile === undefined ? undefined : new TokenFile(user.tokenFile, options.system);
    this.#exec =
      user.exec === undefined
        ? undefined
        : new ExecPlugin(user.exec, { cluster, system: options.system, now: options.now, ...(options.execTimeoutMs === undefined ? {} : { timeoutMs: options.execTimeoutMs }) });
  }

  /** True when a refused credential can be replaced by another (exec plugin, token file). */
  get renewable(): boolean {
    return this.#exec !== undefined || this.#file !== undefined;
  }

  /** The credentials for the next request. Throws `UNAUTHENTICATED` when they cannot be obtained. */
  async current(): Promise<RequestCredentials> {
    const user = this.#user;
    if (this.#file) {
      const token = await this.#file.token();
      return { authorization: `Bearer ${token}`, secrets: [token], fileToken: token, ...(await this.#execCertificate()) };
    }
    if (user.token !== undefined) return { authorization: `Bearer ${user.token}`, secrets: [user.token], ...(await this.#execCertificate()) };
    if (user.username !== undefined || user.password !== undefined) {
      const pair = Buffer.from(`${user.username ?? ""}:${user.password ?? ""}`).toString("base64");
      return { authorization: `Basic ${pair}`, secrets: [pair, ...(user.password ? [user.password] : [])] };
    }
    if (this.#exec) {
      const issued = await this.#exec.credential();
      return {
        ...(issued.token ? { authorization: `Bearer ${issued.token}` } : {}),
        ...(issued.clientCertificateData ? { clientCertificate: issued.clientCertificateData, clientKey: issued.clientKeyData! } : {}),
        secrets: [issued.token, issued.clientKeyData].filter((s): s is string => s !== undefined),
        issued,
      };
    }
    return { secrets: [] };
  }

  /** A plugin's certificate beside a static or file token (client-go uses the token and still lets the plugin supply the certificate). */
  async #execCertificate(): Promise<Pick<RequestCredentials, "clientCertificate" | "clientKey" | "issued">> {
    if (!this.#exec || this.#user.clientCertificateData !== undefined || this.#user.clientCertificateFile !== undefined) return {};
    const issued = await this.#exec.credential();
    return issued.clientCertificateData ? { clientCertificate: issued.clientCertificateData, clientKey: issued.clientKeyData!, issued } : { issued };
  }

  /**
   * The server answered 401 to a request sent with `used`: drops what was refused. True when the
   * next request may carry different credentials (an exec plugin runs again; a token file changed).
   */
  async refused(used: RequestCredentials): Promise<boolean> {
    if (this.#file) return this.#file.reread(used.fileToken);
    if (this.#exec && used.issued) {
      this.#exec.invalidate(used.issued);
      return this.#user.token === undefined;
    }
    return false;
  }
}
