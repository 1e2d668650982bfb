/**
 * Exec credential plugins (`client.authentication.k8s.io` v1 and v1beta1): the plugin runs with the
 * adapter's environment plus its `env` and `KUBERNETES_EXEC_INFO` (an ExecCredential whose spec says
 * `interactive: false` and, with `provideClusterInfo`, describes the cluster), standard input closed.
 * It prints an ExecCredential whose status carries a token or a client certificate and key, and
 * optionally `expirationTimestamp`. The credential is kept until then (for good when there is none)
 * and fetched again after the server answers 401 with it. One run at a time serves every caller.
 *
 * Errors never show the plugin's standard output (it holds the credential) nor its arguments; its
 * standard error is shown redacted and shortened.
 */
import { redact } from "@vmshift/core";
import { credentialError, describe } from "./problems.ts";
import type { ExecOutcome, KubeconfigSystem } from "./system.ts";
import type { KubeClusterConfig, KubeExecConfig } from "./types.ts";

/** Environment variable that carries the ExecCredential input to the plugin. */
export const EXEC_INFO_ENV = "KUBERNETES_EXEC_INFO";

/** What a plugin issued. */
export interface IssuedCredential {
  readonly token?: string;
  /** PEM. */
  readonly clientCertificateData?: string;
  /** PEM. */
  readonly clientKeyData?: string;
  /** When it stops being valid, epoch ms; absent: until the server refuses it. */
  readonly expiresAtMs?: number;
}

/** Options of {@link ExecPlugin}. */
export interface ExecPluginOptions {
  /** The cluster, for `provideClusterInfo`. */
  readonly cluster: KubeClusterConfig;
  readonly system: KubeconfigSystem;
  /** Epoch ms now. */
  readonly now: () => number;
  /** Longest run of the plugin, ms. Default 60 000. */
  readonly timeoutMs?: number;
}

const asRecord = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const text = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);

/** One exec plugin with its cached credential. */
export class ExecPlugin {
  readonly #config: KubeExecConfig;
  readonly #options: ExecPluginOptions;
  readonly #timeoutMs: number;
  #cached: IssuedCredential | undefined;
  #pending: Promise<IssuedCredential> | undefined;
  /** Tokens issued so far (newest first, a few), masked in the plugin's standard error. */
  #issued: string[] = [];

  constructor(config: KubeExecConfig, options: ExecPluginOptions) {
    this.#config = config;
    this.#options = options;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** The cached credential while it is valid, else a fresh one from the plugin. Throws `UNAUTHENTICATED` when the plugin fails. */
  credential(): Promise<IssuedCredential> {
    const cached = this.#cached;
    if (cached && (cached.expiresAtMs === undefined || this.#options.now() < cached.expiresAtMs)) return Promise.resolve(cached);
    this.#pending ??= this.#run().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** The server refused `used` (401): the next call runs the plugin again (unless another caller already did). */
  invalidate(used: IssuedCredential): void {
    if (this.#cached === used) this.#cached = undefined;
  }

  async #execInfo(): Promise<string> {
    const spec: Record<string, unknown> = { interactive: false };
    if (this.#config.provideClusterInfo) {
      const c = this.#options.cluster;
      let ca = c.certificateAuthorityData;
      if (ca === undefined && c.certificateAuthorityFile !== undefined) {
        try {
          ca = (await this.#options.system.readFile(c.certificateAuthorityFile)).toString("utf8");
        } catch (error) {
          throw credentialError(`cannot read the certificate-authority file ${c.certificateAuthorityFile} for the exec plugin (${describe(error)})`);
        }
      }
      spec["cluster"] = {
        server: c.server,
        ...(c.tlsServerName ? { "tls-server-name": c.tlsServerName } : {}),
        ...(c.insecureSkipTlsVerify ? { "insecure-skip-tls-verify": true } : {}),
        ...(ca ? { "certificate-authority-data": Buffer.from(ca).toString("base64") } : {}),
        ...(c.execExtension === undefined ? {} : { config: c.execExtension }),
      };
    }
    return JSON.stringify({ apiVersion: this.#config.apiVersion, kind: "ExecCredential", spec });
  }

  async #run(): Promise<IssuedCredential> {
    const { command } = this.#config;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.#options.system.env)) if (v !== undefined) env[k] = v;
    for (const { name, value } of this.#config.env) env[name] = value;
    env[EXEC_INFO_ENV] = await this.#execInfo();
    let outcome: ExecOutcome;
    try {
      outcome = await this.#options.system.exec({ command, args: this.#config.args, env, timeoutMs: this.#timeoutMs });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === "ENOENT") throw credentialError(`exec plugin ${command} was not found${this.#config.installHint ? `. ${this.#config.installHint.trim()}` : ""}`);
      throw credentialError(`exec plugin ${command} could not run (${describe(error)})`);
    }
    if (outcome.code !== 0) {
      const how = outcome.code === null ? `was stopped (${outcome.signal ?? "killed"}; the limit is ${this.#timeoutMs / 1000} s)` : `exited with code ${outcome.code}`;
      const said = this.#excerpt(outcome.stderr);
      throw credentialError(`exec plugin ${command} ${how}${said ? `: ${said}` : ""}`, this.#issued);
    }
    const issued = this.#parse(outcome.stdout);
    if (issued.token) this.#issued = [issued.token, ...this.#issued].slice(0, 4);
    this.#cached = issued;
    return issued;
  }

  /** The last lines of the plugin's standard error, redacted, at most 300 characters. */
  #excerpt(stderr: string): string {
    const masked = redact(stderr, [...this.#issued, ...this.#config.env.map((e) => e.value)]);
    const tail = masked.trim().split(/\r?\n/).slice(-3).join(" | ");
    return tail.length > 300 ? `…${tail.slice(-300)}` : tail;
  }

  #parse(stdout: string): IssuedCredential {
    const { command, apiVersion } = this.#config;
    let parsed: unknown;
    try {
      parsed = JSON.parse(stdout);
    } catch {
      throw credentialError(`exec plugin ${command} did not print an ExecCredential (its output is not JSON)`);
    }
    const object = asRecord(parsed);
    if (object?.["kind"] !== "ExecCredential") throw credentialError(`exec plugin ${command} printed kind ${JSON.stringify(object?.["kind"])}, expected ExecCredential`);
    if (object["apiVersion"] !== apiVersion) throw credentialError(`exec plugin ${command} answered apiVersion ${JSON.stringify(object["apiVersion"])}, but the kubeconfig asks for ${apiVersion}`);
    const status = asRecord(object["status"]);
    if (!status) throw credentialError(`exec plugin ${command} returned no status`);
    const token = text(status["token"]);
    const cert = text(status["clientCertificateData"]);
    const key = text(status["clientKeyData"]);
    if ((cert === undefined) !== (key === undefined)) throw credentialError(`exec plugin ${command} returned a client ${cert ? "certificate without a key" : "key without a certificate"}`);
    if (token === undefined && cert === undefined) throw credentialError(`exec plugin ${command} returned neither a token nor a client certificate and key`);
    const expiry = status["expirationTimestamp"];
    let expiresAtMs: number | undefined;
    if (expiry !== undefined && expiry !== null && expiry !== "") {
      expiresAtMs = typeof expiry === "string" ? Date.parse(expiry) : Number.NaN;
      if (Number.isNaN(expiresAtMs)) throw credentialError(`exec plugin ${command} returned an expirationTimestamp that is not an RFC 3339 time`);
    }
    return { ...(token ? { token } : {}), ...(cert ? { clientCertificateData: cert, clientKeyData: key! } : {}), ...(expiresAtMs === undefined ? {} : { expiresAtMs }) };
  }
}
