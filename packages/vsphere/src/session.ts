/**
 * A vim25 session over a transport: RetrieveServiceContent, SessionManager.Login (lazily, once for
 * concurrent callers), one re-login when a call fails with `NotAuthenticated` (sessions expire
 * during long waits), an optional keep-alive, and Logout on close.
 */
import { type Logger, VmshiftError, isVmshiftError, silentLogger } from "@vmshift/core";
import { text, moRef } from "./resources/decode.ts";
import type { VimCallOptions, VimMethod, VimTransport } from "./transport.ts";
import { type MoRef, type Xml, el, moref, seq } from "./xml.ts";

/** The parts of `ServiceContent` the adapter uses. */
export interface ServiceContent {
  readonly rootFolder: MoRef;
  readonly propertyCollector: MoRef;
  readonly viewManager: MoRef;
  readonly sessionManager: MoRef;
  readonly vmProvisioningChecker?: MoRef;
  readonly vmCompatibilityChecker?: MoRef;
  /** `about.fullName`, e.g. `VMware vCenter Server 8.0.3 build-…`. */
  readonly fullName?: string;
  readonly apiVersion?: string;
  readonly apiType?: string;
  /** `about.instanceUuid`: names this vCenter in a cross-vCenter `ServiceLocator`. */
  readonly instanceUuid?: string;
}

/** Options of {@link VimSession}. */
export interface VimSessionOptions {
  readonly username: string;
  readonly password: string;
  readonly logger?: Logger;
  /** Calls `CurrentTime` this often while logged in, ms; 0 disables. Default 0 (vCenter's idle timeout is 30 min). */
  readonly keepAliveIntervalMs?: number;
}

const SERVICE_INSTANCE: MoRef = { type: "ServiceInstance", value: "ServiceInstance" };

/** True for the fault that means "log in again". */
export function isNotAuthenticated(error: unknown): boolean {
  return isVmshiftError(error) && error.details?.["fault"] === "NotAuthenticated";
}

/** One logged-in session; every adapter call goes through {@link VimSession.call}. */
export class VimSession {
  readonly #transport: VimTransport;
  readonly #options: VimSessionOptions;
  readonly #logger: Logger;
  #content: Promise<ServiceContent> | undefined;
  #login: Promise<void> | undefined;
  #generation = 0;
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(transport: VimTransport, options: VimSessionOptions) {
    if (typeof options.username !== "string" || options.username.length === 0) {
      throw new VmshiftError("INVALID_ARGUMENT", "username is required", { adapter: "vsphere" });
    }
    if (typeof options.password !== "string" || options.password.length === 0) {
      throw new VmshiftError("INVALID_ARGUMENT", "password is required", { adapter: "vsphere" });
    }
    this.#transport = transport;
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
  }

  /** Bumped on every fresh Login after `NotAuthenticated`: objects of the old session (property filters) are gone. */
  get generation(): number {
    return this.#generation;
  }

  /** ServiceContent, fetched once. */
  content(): Promise<ServiceContent> {
    this.#content ??= this.#transport.call("RetrieveServiceContent", moref("_this", SERVICE_INSTANCE)).then(decodeServiceContent, (error: unknown) => {
      this.#content = undefined;
      throw error;
    });
    return this.#content;
  }

  /**
   * Calls `method` on `_this` with the given parameters, logged in. A `NotAuthenticated` answer
   * triggers one fresh Login and one retry (the call was refused, so repeating it is safe). With
   * `sessionBound` the call is about objects of the old session (a WaitForUpdatesEx on its property
   * filters, which died with it): after the new Login it fails with `NOT_FOUND` instead of being
   * repeated in vain.
   */
  async call(method: VimMethod, self: MoRef, params: Xml = seq(), options: VimCallOptions & { readonly sessionBound?: boolean } = {}): Promise<unknown> {
    if (this.#closed) throw new VmshiftError("INVALID_STATE", "the vSphere session is closed", { adapter: "vsphere" });
    const body = seq(moref("_this", self), params);
    const { sessionBound, ...callOptions } = options;
    await this.#ensureLogin();
    const generation = this.#generation;
    try {
      return await this.#transport.call(method, body, callOptions);
    } catch (error) {
      if (!isNotAuthenticated(error)) throw error;
      this.#logger.log("warn", "vSphere session not authenticated; logging in again", { method });
      await this.#relogin(generation);
      if (sessionBound) throw new VmshiftError("NOT_FOUND", `the vSphere session was renewed; what ${method} was about died with the old one`, { adapter: "vsphere", cause: error });
      return this.#transport.call(method, body, callOptions);
    }
  }

  /** Logs out (best effort) and releases the transport. Further calls fail with `INVALID_STATE`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#keepAlive) clearInterval(this.#keepAlive);
    if (this.#login) {
      try {
        await this.#login;
        const content = await this.content();
        await this.#transport.call("Logout", moref("_this", content.sessionManager));
      } catch (error) {
        this.#logger.log("debug", "vSphere logout failed (ignored)", { error: String((error as Error).message) });
      }
    }
    this.#transport.clearSession();
    await this.#transport.close();
  }

  #ensureLogin(): Promise<void> {
    this.#login ??= this.#doLogin().catch((error: unknown) => {
      this.#login = undefined;
      throw error;
    });
    return this.#login;
  }

  async #relogin(failedGeneration: number): Promise<void> {
    if (this.#generation === failedGeneration) {
      this.#generation++;
      this.#transport.clearSession();
      this.#login = undefined;
    }
    await this.#ensureLogin();
  }

  async #doLogin(): Promise<void> {
    const content = await this.content();
    await this.#transport.call(
      "Login",
      seq(moref("_this", content.sessionManager), el("userName", this.#options.username), el("password", this.#options.password)),
    );
    const every = this.#options.keepAliveIntervalMs ?? 0;
    if (every > 0 && !this.#keepAlive) {
      this.#keepAlive = setInterval(() => {
        this.call("CurrentTime", SERVICE_INSTANCE).catch((error: unknown) => this.#logger.log("warn", "vSphere keep-alive failed", { error: String((error as Error).message) }));
      }, every);
      this.#keepAlive.unref();
    }
  }
}

function decodeServiceContent(value: unknown): ServiceContent {
  const v = (value ?? {}) as Record<string, unknown>;
  const need = (key: string): MoRef => {
    const r = moRef(v[key]);
    if (!r) throw new VmshiftError("INTERNAL", `ServiceContent has no ${key}`, { adapter: "vsphere" });
    return r;
  };
  const about = (v["about"] ?? {}) as Record<string, unknown>;
  const optional = (key: string) => {
    const r = moRef(v[key]);
    return r ? { [key]: r } : {};
  };
  const str = (key: string, name: string) => {
    const t = text(about[key]);
    return t === undefined ? {} : { [name]: t };
  };
  return {
    rootFolder: need("rootFolder"),
    propertyCollector: need("propertyCollector"),
    viewManager: need("viewManager"),
    sessionManager: need("sessionManager"),
    ...optional("vmProvisioningChecker"),
    ...optional("vmCompatibilityChecker"),
    ...str("fullName", "fullName"),
    ...str("apiVersion", "apiVersion"),
    ...str("apiType", "apiType"),
    ...str("instanceUuid", "instanceUuid"),
  } as ServiceContent;
}
