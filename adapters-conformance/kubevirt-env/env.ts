/**
 * The KubeVirt API environment: a local Kubernetes-style API server with KubeVirt's resources,
 * admission and controllers, seeded with a small cluster, and the knobs tests turn.
 *
 * ```ts
 * const env = await KubevirtEnv.start();
 * const adapter = createKubevirtAdapter({ connection: { kubeconfigYaml: env.kubeconfig() } });
 * ...
 * await env.close();
 * ```
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ApiError, Store, type StoredObject } from "./store.ts";
import { Controllers, DEFAULT_TIMING, type EnvTiming, type VmFaults } from "./controller.ts";
import { ApiServer, type Exchange, type HttpFaults, type RequestFault } from "./http.ts";
import { admitMigrationCreate } from "./admission.ts";
import { decentralizedGateOn } from "./decentralized.ts";
import { NamespacedAuthorizer } from "./rbac.ts";
import { seedCluster } from "./seed.ts";
import { type TlsIdentity, localTlsIdentity } from "./tls.ts";

/** Options of {@link KubevirtEnv.start}. */
export interface KubevirtEnvOptions {
  /** Timing overrides, ms. */
  readonly timing?: Partial<EnvTiming>;
  /** Bearer token the server requires. Default: a random one, put into {@link KubevirtEnv.kubeconfig}. */
  readonly token?: string;
  /** Seed the default cluster (nodes, VMs, KubeVirt CR). Default true. */
  readonly seed?: boolean;
  /** Overrides of the KubeVirt CR's `spec.configuration.migrations`. */
  readonly migrations?: Record<string, unknown>;
  /** Bookmark period of watches, ms. Default 300. */
  readonly bookmarkIntervalMs?: number;
  /** Called with every finished exchange (fixture recordings). */
  readonly onExchange?: (exchange: Exchange) => void;
  /** TCP port. Default: any free one. */
  readonly port?: number;
}

/** A running environment. */
export class KubevirtEnv {
  readonly store: Store;
  readonly controllers: Controllers;
  readonly server: ApiServer;
  /** Namespace-scoped tokens (see {@link namespacedKubeconfig}). */
  readonly authorizer = new NamespacedAuthorizer();
  readonly httpFaults: HttpFaults;
  #token: string;
  #tokenDir: string | undefined;
  /** The server's certificate (the kubeconfig's CA). */
  readonly tls: TlsIdentity;
  /** Requests received so far, `METHOD path?query` each. */
  readonly requests: string[] = [];
  /** Migrations ever created, per VMI (`namespace/name`). */
  readonly migrationsCreated = new Map<string, number>();
  /** When each migration (`namespace/name` of the VMIM) turned Succeeded in the store, `Date.now()` ms (the controller's write). */
  readonly migrationsSucceededAt = new Map<string, number>();

  /** Where pod logs come from: the kubelet (kubelet.ts) sets it when it starts. */
  podLogs: ((namespace: string, name: string, container: string) => { readonly text: string } | { readonly waiting: string } | undefined) | undefined;

  private constructor(options: KubevirtEnvOptions) {
    this.store = new Store();
    const store = this.store;
    this.controllers = new Controllers(this.store, { ...DEFAULT_TIMING, ...options.timing });
    this.httpFaults = { failNext: { count: 0, status: 503 }, rules: [], slowMs: 0, bookmarkIntervalMs: options.bookmarkIntervalMs ?? 300 };
    this.#token = options.token ?? randomToken();
    this.tls = localTlsIdentity();
    this.server = new ApiServer({
      tls: this.tls,
      store: this.store,
      faults: this.httpFaults,
      token: () => this.#token,
      authorizer: this.authorizer,
      onRequest: (method, url) => this.requests.push(`${method} ${url}`),
      ...(options.onExchange ? { onExchange: options.onExchange } : {}),
      metrics: () => this.controllers.metricsText(),
      // Read per request: the KubeVirt CR's feature gates decide (decentralized.ts).
      get decentralizedGate() {
        return decentralizedGateOn(store);
      },
      subresource: (route, body) => this.#subresource(route.namespace, route.name, route.subresource, body),
      podLog: (namespace, name, container) => (container === undefined ? undefined : this.podLogs?.(namespace, name, container)) ?? { waiting: "ContainerCreating" },
    });
  }

  /** Starts the server and the controllers. */
  static async start(options: KubevirtEnvOptions = {}): Promise<KubevirtEnv> {
    const env = new KubevirtEnv(options);
    env.store.subscribe((e) => {
      if (e.type !== "ADDED" || e.resource !== "virtualmachineinstancemigrations") return;
      const key = `${e.object.metadata.namespace}/${(e.object.spec as { vmiName?: string }).vmiName}`;
      env.migrationsCreated.set(key, (env.migrationsCreated.get(key) ?? 0) + 1);
    });
    env.store.subscribe((e) => {
      if (e.resource !== "virtualmachineinstancemigrations" || e.type === "DELETED") return;
      if ((e.object as { status?: { phase?: string } }).status?.phase !== "Succeeded") return;
      const key = `${e.object.metadata.namespace}/${e.object.metadata.name}`;
      if (!env.migrationsSucceededAt.has(key)) env.migrationsSucceededAt.set(key, Date.now());
    });
    if (options.seed ?? true) seedCluster(env.store, env.controllers, options.migrations ?? {});
    await env.server.listen(options.port ?? 0);
    env.controllers.start();
    return env;
  }

  get url(): string {
    return this.server.url;
  }

  /** The bearer token the server accepts now. */
  get token(): string {
    return this.#token;
  }

  /**
   * Invalidates the current token (as when a short-lived credential expires): requests with it get
   * 401 from now on. Clients using {@link kubeconfigWithExec} fetch the new one through the exec plugin.
   */
  expireSession(): void {
    this.#token = randomToken();
    if (this.#tokenDir) writeFileSync(join(this.#tokenDir, "token"), this.#token);
  }

  /**
   * A kubeconfig whose user is an exec credential plugin (exec-credential.ts) that reads the
   * environment's current token, valid `ttlMs` (default 1000) before the client asks again.
   */
  kubeconfigWithExec(ttlMs = 1000): string {
    this.#tokenDir ??= mkdtempSync(join(tmpdir(), "kubevirt-env-token-"));
    const file = join(this.#tokenDir, "token");
    writeFileSync(file, this.#token);
    const plugin = fileURLToPath(new URL("./exec-credential.ts", import.meta.url));
    return this.kubeconfig().replace(
      `    token: ${this.#token}\n`,
      [
        "    exec:",
        "      apiVersion: client.authentication.k8s.io/v1",
        `      command: ${JSON.stringify(process.execPath)}`,
        `      args: [${JSON.stringify(plugin)}]`,
        `      env: [{name: KUBEVIRT_ENV_TOKEN_FILE, value: ${JSON.stringify(file)}}, {name: KUBEVIRT_ENV_TOKEN_TTL_MS, value: "${ttlMs}"}]`,
        "      interactiveMode: Never",
        "",
      ].join("\n"),
    );
  }

  /** Requests received so far. */
  get requestCount(): number {
    return this.requests.length;
  }

  /** The kind of every request received so far, in order (see {@link requestKind}). */
  requestKinds(): string[] {
    return this.requests.map(requestKind);
  }

  /**
   * A token for `user` that a RoleBinding would allow every verb in `namespaces` and nothing else
   * (no Nodes, Namespaces, MigrationPolicies, no list across namespaces: 403 as the API server words
   * it). Returns a kubeconfig for it whose context namespace is the first of them.
   */
  namespacedKubeconfig(user: string, namespaces: readonly string[]): string {
    const token = randomToken();
    this.authorizer.add(token, { user, namespaces });
    return this.kubeconfig().replace(`    token: ${this.#token}\n`, `    token: ${token}\n`).replace("    namespace: default\n", `    namespace: ${namespaces[0] ?? "default"}\n`);
  }

  /** A kubeconfig (YAML) for this server: one cluster, one token user, one context `kubevirt-env`. */
  kubeconfig(): string {
    return [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "- name: kubevirt-env",
      "  cluster:",
      `    server: ${this.url}`,
      `    certificate-authority-data: ${Buffer.from(this.tls.cert).toString("base64")}`,
      "users:",
      "- name: env-user",
      "  user:",
      `    token: ${this.#token}`,
      "contexts:",
      "- name: kubevirt-env",
      "  context:",
      "    cluster: kubevirt-env",
      "    user: env-user",
      "    namespace: default",
      "current-context: kubevirt-env",
      "",
    ].join("\n");
  }

  /**
   * Creates a VirtualMachineInstance that no VirtualMachine owns (a bare VMI, as `kubectl create -f
   * vmi.yaml` does): it starts Pending, the controller schedules and runs it like any VMI, and it can
   * be migrated. `status` and owner references of the given object are dropped. Returns `namespace/name`.
   */
  createBareVmi(vmi: { metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec: Record<string, unknown> }): string {
    const namespace = vmi.metadata.namespace ?? "default";
    this.store.create("virtualmachineinstances", "VirtualMachineInstance", {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachineInstance",
      metadata: { name: vmi.metadata.name, namespace, ...(vmi.metadata.labels ? { labels: { ...vmi.metadata.labels } } : {}) } as StoredObject["metadata"],
      spec: structuredClone(vmi.spec),
      status: { phase: "Pending", runtimeUser: 107, conditions: [{ type: "LiveMigratable", status: "True", lastProbeTime: null, lastTransitionTime: null }] },
    });
    return `${namespace}/${vmi.metadata.name}`;
  }

  /** Sets faults on one VM (`namespace/name`); merged with the ones it has. */
  fault(vm: string, faults: VmFaults): void {
    this.controllers.faults.set(vm, { ...this.controllers.faults.get(vm), ...faults });
  }

  /** The next `count` requests answer `status` (a Status body). */
  failNextRequests(count: number, status = 503): void {
    this.httpFaults.failNext = { count, status };
  }

  /**
   * The next `count` requests of one kind fail with 503 before the server acts: `start` (POST of a
   * migration), `progress` (reads and watches of migrations and VMIs), `cancel` (DELETE of a migration).
   */
  failTransiently(where: "start" | "progress" | "cancel", count: number): void {
    const migrations = (path: string) => path.includes("/virtualmachineinstancemigrations");
    const matches: Record<typeof where, RequestFault["matches"]> = {
      start: (method, path) => method === "POST" && migrations(path),
      progress: (method, path) => method === "GET" && (migrations(path) || path.includes("/virtualmachineinstances")),
      cancel: (method, path) => method === "DELETE" && migrations(path),
    };
    this.httpFaults.rules.push({ matches: matches[where], count, effect: { kind: "status", status: 503 } });
  }

  /** The server creates the next migration but cuts the connection instead of answering. */
  loseNextStartResponse(): void {
    this.httpFaults.rules.push({ matches: (method, path) => method === "POST" && path.includes("/virtualmachineinstancemigrations"), count: 1, effect: { kind: "lose" } });
  }

  /** Every answer waits `ms`. */
  slowResponses(ms: number): void {
    this.httpFaults.slowMs = ms;
  }

  /** Ends every open watch; clients must reconnect. Returns how many were open. */
  dropWatches(): number {
    return this.server.dropWatches();
  }

  /** Compacts the event history: watches from older versions get 410, continue tokens expire. */
  compact(): void {
    this.store.compact();
  }

  async close(): Promise<void> {
    this.controllers.stop();
    await this.server.close();
    if (this.#tokenDir) rmSync(this.#tokenDir, { recursive: true, force: true });
  }

  /** Waits until `predicate` holds (polling the store), up to `timeoutMs`. */
  async until(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error("KubevirtEnv.until: timed out");
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** The lifecycle subresources (pkg/virt-api/rest/lifecycle.go semantics). */
  #subresource(namespace: string, name: string, action: string, body: unknown): void {
    const vm = this.store.require("virtualmachines", namespace, name) as StoredObject & { spec: { runStrategy?: string; running?: boolean }; status?: { stateChangeRequests?: { action: string }[] } };
    const vmi = this.store.get("virtualmachineinstances", namespace, name) as (StoredObject & { status?: { phase?: string } }) | undefined;
    const strategy = vm.spec.runStrategy ?? (vm.spec.running ? "Always" : "Halted");
    const conflict = (message: string) => new ApiError(409, "Conflict", message);
    const request = (a: string) => this.store.mutate("virtualmachines", namespace, name, (o) => {
      const status = ((o as typeof vm).status ??= {});
      status.stateChangeRequests = [...(status.stateChangeRequests ?? []), { action: a }];
    });
    switch (action) {
      case "start":
        if (vmi && vmi.status?.phase === "Running") throw conflict("VM is already running");
        if (strategy === "Always" || strategy === "Once") throw conflict(`${strategy} does not support manual start requests`);
        if (strategy === "Halted") this.store.mutate("virtualmachines", namespace, name, (o) => void ((o as typeof vm).spec.runStrategy = "Always"));
        else request("Start");
        return;
      case "stop":
        if (!vmi) throw conflict("VM is not running");
        if (strategy === "Manual" || strategy === "RerunOnFailure") request("Stop");
        else this.store.mutate("virtualmachines", namespace, name, (o) => {
          const spec = (o as typeof vm).spec;
          if (spec.running !== undefined) spec.running = false;
          else spec.runStrategy = "Halted";
        });
        return;
      case "migrate": {
        if (!vmi || vmi.status?.phase !== "Running") throw conflict("VM is not running");
        const selector = (body as { addedNodeSelector?: Record<string, string> } | undefined)?.addedNodeSelector;
        const object = admitMigrationCreate(this.store, namespace, { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration", metadata: { generateName: "kubevirt-migrate-vm-", namespace } as StoredObject["metadata"], spec: { vmiName: name, ...(selector ? { addedNodeSelector: selector } : {}) } }, false);
        this.store.create("virtualmachineinstancemigrations", "VirtualMachineInstanceMigration", object);
        return;
      }
      default:
        throw new ApiError(405, "MethodNotAllowed", `subresource ${action} is not served by this environment`);
    }
  }
}

function randomToken(): string {
  return `env-${Math.random().toString(36).slice(2, 14)}`;
}

/**
 * A request line (`METHOD path?query`) with its ids generalised: the namespace becomes `{ns}`, an
 * object name `{name}`; the query is dropped except a watch, marked `?watch`. E.g.
 * `GET /apis/kubevirt.io/v1/namespaces/{ns}/virtualmachineinstancemigrations/{name}`.
 */
export function requestKind(line: string): string {
  const space = line.indexOf(" ");
  const method = line.slice(0, space);
  const url = new URL(line.slice(space + 1), "http://x");
  const segments = url.pathname.split("/").filter((s) => s.length > 0);
  const prefix = segments[0] === "api" ? 2 : segments[0] === "apis" ? 3 : segments.length;
  const out = segments.slice(0, prefix);
  let rest = segments.slice(prefix);
  if (rest[0] === "namespaces" && rest.length >= 2) {
    out.push("namespaces", "{ns}");
    rest = rest.slice(2);
  }
  // rest: resource [name [subresource…]]
  out.push(...rest.map((s, i) => (i === 1 ? "{name}" : s)));
  const watch = url.searchParams.get("watch");
  return `${method} /${out.join("/")}${watch === "true" || watch === "1" ? "?watch" : ""}`;
}
