/**
 * A kubelet for the transfer pods of warm moves into KubeVirt and the conversion pods of guest
 * conversion at cutover: it runs a pod's containers as real local `qemu-nbd` or
 * `virt-v2v-in-place` processes over the claims' backing files (the image files CDI's model keeps),
 * each pod on its own loopback address (127.x.y.z; Linux routes all of 127/8 to `lo`), so pods do
 * not collide; it reports `status.phase`, `podIP`, `containerStatuses` and the `Ready` condition
 * (a container is ready when its `readinessProbe.tcpSocket` port, else its first container port,
 * accepts connections), and stops the processes when the pod is deleted.
 *
 * What is modelled, on purpose narrowly: a container's `image` is accepted as any string and its
 * `command` + `args` must run `qemu-nbd` or `virt-v2v-in-place` (anything else fails the container
 * with `ContainerCannotRun`); the programs on this machine run them (`KubeletOptions` may name
 * others), with the container's `env` over this process's environment. A container's stdout and
 * stderr are its log (`GET …/pods/<name>/log`, what `kubectl logs` reads, kept until the pod is
 * deleted); a container that fails with `terminationMessagePolicy: FallbackToLogsOnError` has the
 * log's tail (80 lines, 2048 bytes, as Kubernetes documents) as its termination message, others the
 * last lines of stderr. A ConfigMap volume is written to a private directory, one file per key;
 * a pod whose ConfigMap does not exist stays Pending (ContainerCreating). There is no mount
 * namespace: paths in argv are mapped onto the files, and in the files of a container's ConfigMap
 * mounts (e.g. the libvirt XML a conversion pod reads) every quoted in-container path of a claim is
 * rewritten to its file, so the program opens what the container would see. Inside the container only the pod's volumes exist: a
 * Filesystem claim mounted at `mountPath` holds `disk.img` (CDI's layout), a Block claim is the
 * device at `devicePath`; an argument naming any other absolute path fails the container.
 * `--bind 0.0.0.0` (every address of the pod's network namespace) becomes the pod's address.
 * Pods are scheduled to the first schedulable node; a claim that does not exist or is not Bound
 * keeps the pod Pending (`PodScheduled` False, as kube-scheduler reports an unbound claim).
 * Differences: deletion is immediate (no grace period: the pod is gone from the API and its
 * processes get SIGTERM at once), restartPolicy is always Never, there are no images.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { createConnection, createServer } from "node:net";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { CdiEnvironment } from "./cdi.ts";
import { CONFIGMAPS } from "./configmaps.ts";
import { PODS } from "./pods.ts";
import type { Resource, Store, StoredObject } from "./store.ts";

const PVCS = "persistentvolumeclaims" as Resource;

type Container = { name: string; image?: string; command?: string[]; args?: string[]; env?: { name: string; value?: string }[]; terminationMessagePolicy?: string; ports?: { containerPort: number }[]; readinessProbe?: { tcpSocket?: { port?: number | string } }; volumeMounts?: { name: string; mountPath: string }[]; volumeDevices?: { name: string; devicePath: string }[] };
type Pod = StoredObject & { spec?: { containers?: Container[]; volumes?: { name: string; persistentVolumeClaim?: { claimName: string }; configMap?: { name: string } }[]; nodeName?: string }; status?: Record<string, unknown> };

interface Child {
  child: ChildProcess;
  stderr: string;
  /** stdout and stderr as they came (the container's log). */
  log: string;
  port?: number;
  ready: boolean;
  exit?: { code: number | null; signal: string | null };
}

interface Running {
  readonly ip: string;
  readonly children: Map<string, Child>;
  /** Where the pod's ConfigMap volumes are written. */
  readonly dir: string;
  stopped: boolean;
}

/** The programs a container may run, by the basename of its `command[0]`. */
const PROGRAMS = ["qemu-nbd", "virt-v2v-in-place"] as const;
/** Kubernetes' limits on a termination message taken from the log. */
const LOG_MESSAGE_LINES = 80;
const LOG_MESSAGE_BYTES = 2048;
/** A container's log is kept up to this many characters (the tail). */
const LOG_LIMIT = 4 * 1024 * 1024;

/** Options of {@link Kubelet.start}. */
export interface KubeletOptions {
  /** The qemu-nbd binary the containers' `qemu-nbd` runs as. Default `qemu-nbd`. */
  readonly qemuNbd?: string;
  /** The virt-v2v-in-place binary the containers' `virt-v2v-in-place` runs as. Default `virt-v2v-in-place`. */
  readonly virtV2vInPlace?: string;
  /** Reconcile step, ms. Default 30. */
  readonly stepMs?: number;
}

/** The kubelet of kubevirt-env's transfer pods (see the module comment). */
export class Kubelet {
  readonly #store: Store;
  readonly #cdi: CdiEnvironment;
  readonly #programs: Readonly<Record<(typeof PROGRAMS)[number], string>>;
  readonly #stepMs: number;
  readonly #pods = new Map<string, Running>();
  readonly #starting = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #closed = false;

  private constructor(store: Store, cdi: CdiEnvironment, options: KubeletOptions) {
    this.#store = store;
    this.#cdi = cdi;
    this.#programs = { "qemu-nbd": options.qemuNbd ?? "qemu-nbd", "virt-v2v-in-place": options.virtV2vInPlace ?? "virt-v2v-in-place" };
    this.#stepMs = options.stepMs ?? 30;
  }

  /** Starts the kubelet over an environment's store and its CDI (whose image files back the claims). */
  static start(env: { readonly store: Store; podLogs?: ((namespace: string, name: string, container: string) => { readonly text: string } | { readonly waiting: string } | undefined) | undefined }, cdi: CdiEnvironment, options: KubeletOptions = {}): Kubelet {
    const k = new Kubelet(env.store, cdi, options);
    if ("podLogs" in env) env.podLogs = (namespace, name, container) => k.log(namespace, name, container);
    k.#unsubscribe = env.store.subscribe((e) => {
      if (e.resource !== PODS) return;
      if (e.type === "DELETED" || e.object.metadata.deletionTimestamp) k.#stop(keyOf(e.object));
    }) as (() => void) | undefined;
    const loop = () => {
      if (k.#closed) return;
      k.reconcile();
      k.#timer = setTimeout(loop, k.#stepMs);
    };
    loop();
    return k;
  }

  /** Pods running here now, `namespace/name → address`. */
  get running(): ReadonlyMap<string, string> {
    return new Map([...this.#pods].filter(([, r]) => !r.stopped).map(([k, r]) => [k, r.ip]));
  }

  /** A container's log so far, or why there is none (its pod not started here). */
  log(namespace: string, name: string, container: string): { readonly text: string } | { readonly waiting: string } {
    const entry = this.#pods.get(`${namespace}/${name}`)?.children.get(container);
    return entry ? { text: entry.log } : { waiting: "ContainerCreating" };
  }

  /** One pass: schedules and starts new pods, refreshes readiness of running ones. */
  reconcile(): void {
    for (const pod of this.#store.all(PODS) as Pod[]) {
      const key = keyOf(pod);
      if (pod.metadata.deletionTimestamp || this.#starting.has(key)) continue;
      const phase = pod.status?.["phase"] as string | undefined;
      if (phase === "Failed" || phase === "Succeeded") continue;
      const running = this.#pods.get(key);
      if (running) void this.#probe(pod, running);
      else {
        this.#starting.add(key);
        void this.#launch(pod).finally(() => this.#starting.delete(key));
      }
    }
  }

  /** Stops every pod's processes and the loop. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#unsubscribe?.();
    await Promise.all([...this.#pods.keys()].map((k) => this.#stop(k)));
  }

  async #launch(pod: Pod): Promise<void> {
    const ns = pod.metadata.namespace!;
    const node = (this.#store.all("nodes") as (StoredObject & { spec?: { unschedulable?: boolean } })[]).find((n) => !n.spec?.unschedulable)?.metadata.name ?? "node01";
    // Volumes: each claim must exist and be Bound (else the pod stays Pending, as the scheduler leaves it).
    const files = new Map<string, string>();
    for (const v of pod.spec?.volumes ?? []) {
      if (!v.persistentVolumeClaim) continue;
      const claim = this.#store.get(PVCS, ns, v.persistentVolumeClaim.claimName) as (StoredObject & { status?: { phase?: string } }) | undefined;
      if (!claim || claim.status?.phase !== "Bound") {
        const why = claim ? `pod has unbound immediate PersistentVolumeClaims` : `persistentvolumeclaim "${v.persistentVolumeClaim.claimName}" not found`;
        this.#status(pod, { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: `0/1 nodes are available: ${why}.` }] });
        return;
      }
      files.set(v.name, this.#cdi.imagePath(ns, v.persistentVolumeClaim.claimName));
    }
    const configMaps = new Map<string, Record<string, string>>();
    for (const v of pod.spec?.volumes ?? []) {
      if (!v.configMap) continue;
      const cm = this.#store.get(CONFIGMAPS, ns, v.configMap.name) as (StoredObject & { data?: Record<string, string> }) | undefined;
      if (!cm) {
        this.#status(pod, { phase: "Pending", conditions: [{ type: "PodScheduled", status: "True" }], containerStatuses: (pod.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image ?? "", imageID: "", ready: false, restartCount: 0, started: false, state: { waiting: { reason: "ContainerCreating" } } })) });
        return;
      }
      configMaps.set(v.name, cm.data ?? {});
    }
    const ip = await freeAddress((pod.spec?.containers ?? []).map((c) => portOf(c)).filter((p): p is number => p !== undefined));
    const current = this.#store.get(PODS, ns, pod.metadata.name) as Pod | undefined;
    if (!current || current.metadata.uid !== pod.metadata.uid || current.metadata.deletionTimestamp || this.#closed) return;
    this.#store.update(PODS, { ...current, spec: { ...current.spec, nodeName: node } } as StoredObject);
    const running: Running = { ip, children: new Map(), dir: mkdtempSync(join(tmpdir(), "kubevirt-env-pod-")), stopped: false };
    this.#pods.set(keyOf(pod), running);
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    for (const c of pod.spec?.containers ?? []) {
      const argv = [...(c.command ?? []), ...(c.args ?? [])];
      const program = PROGRAMS.find((p) => p === basename(argv[0] ?? ""));
      const paths = containerPaths(c, files, configMaps, join(running.dir, c.name));
      const translated = program ? translate(program, argv, paths, ip) : `kubevirt-env's kubelet runs only ${PROGRAMS.join(" and ")}, not ${JSON.stringify(argv[0] ?? "")}`;
      if (typeof translated === "string" || !program) {
        const message = typeof translated === "string" ? translated : "";
        running.children.set(c.name, { child: undefined as unknown as ChildProcess, stderr: message, log: "", ready: false, exit: { code: 128, signal: null } });
        continue;
      }
      const env = { ...process.env, ...Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? ""])) };
      const child = spawn(this.#programs[program], translated, { stdio: ["ignore", "pipe", "pipe"], env });
      const entry: Child = { child, stderr: "", log: "", ready: false, ...(portOf(c) === undefined ? {} : { port: portOf(c)! }) };
      child.stdout!.setEncoding("utf8").on("data", (d: string) => (entry.log = (entry.log + d).slice(-LOG_LIMIT)));
      child.stderr!.setEncoding("utf8").on("data", (d: string) => {
        entry.stderr = (entry.stderr + d).slice(-2000);
        entry.log = (entry.log + d).slice(-LOG_LIMIT);
      });
      child.on("error", (e) => (entry.stderr += `\n${e.message}`));
      child.on("close", (code, signal) => {
        entry.exit = { code, signal };
        if (!running.stopped) this.#report(pod, running, now);
      });
      running.children.set(c.name, entry);
    }
    this.#report(pod, running, now);
  }

  /** Marks containers ready whose port accepts a connection. */
  async #probe(pod: Pod, running: Running): Promise<void> {
    let changed = false;
    for (const entry of running.children.values()) {
      if (entry.ready || entry.exit || entry.port === undefined) continue;
      if (await accepts(running.ip, entry.port)) {
        entry.ready = true;
        changed = true;
      }
    }
    if (changed && !running.stopped) this.#report(pod, running);
  }

  /** Writes the pod's status from its processes. */
  #report(pod: Pod, running: Running, startedAt?: string): void {
    const statuses = [...(pod.spec?.containers ?? [])].map((c) => {
      const e = running.children.get(c.name);
      const exit = e?.exit;
      const fromLog = exit && exit.code !== 0 && e?.child && c.terminationMessagePolicy === "FallbackToLogsOnError";
      const message = fromLog ? logTail(e!.log) : (e?.stderr.trim().split("\n").slice(-3).join("\n") ?? "");
      const state = exit
        ? { terminated: { exitCode: exit.code ?? 137, reason: exit.code === 0 ? "Completed" : e?.child ? "Error" : "ContainerCannotRun", message } }
        : { running: { startedAt: startedAt ?? new Date().toISOString() } };
      return { name: c.name, image: c.image ?? "", imageID: "", ready: !exit && (e?.ready ?? false), restartCount: 0, started: !exit, state };
    });
    const all = statuses.length > 0 && statuses.every((s) => "terminated" in s.state);
    const failed = statuses.some((s) => "terminated" in s.state && (s.state as { terminated: { exitCode: number } }).terminated.exitCode !== 0);
    const phase = all ? (failed ? "Failed" : "Succeeded") : "Running";
    const ready = statuses.length > 0 && statuses.every((s) => s.ready);
    const cond = (type: string, ok: boolean) => ({ type, status: ok ? "True" : "False", lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, "Z") });
    this.#status(pod, { phase, podIP: running.ip, podIPs: [{ ip: running.ip }], hostIP: "127.0.0.1", containerStatuses: statuses, conditions: [cond("PodScheduled", true), cond("Initialized", true), cond("ContainersReady", ready), cond("Ready", ready)] });
  }

  #status(pod: Pod, status: Record<string, unknown>): void {
    const current = this.#store.get(PODS, pod.metadata.namespace, pod.metadata.name) as Pod | undefined;
    if (!current || current.metadata.uid !== pod.metadata.uid || current.metadata.deletionTimestamp) return;
    const next = { ...(current.status ?? {}), startTime: (current.status?.["startTime"] as string | undefined) ?? current.metadata.creationTimestamp, ...status };
    // An unchanged status is not written again (a pod waiting for its claim is retried every step).
    if (JSON.stringify(next) === JSON.stringify(current.status ?? {})) return;
    this.#store.update(PODS, { ...current, status: next } as StoredObject);
  }

  /** Stops a pod's processes (SIGTERM, SIGKILL after 2 s) and forgets it. */
  async #stop(key: string): Promise<void> {
    const running = this.#pods.get(key);
    if (!running) return;
    running.stopped = true;
    this.#pods.delete(key);
    const cleanup = () => rmSync(running.dir, { recursive: true, force: true });
    await Promise.all(
      [...running.children.values()].map(async (e) => {
        if (!e.child || e.exit) return;
        const gone = new Promise<void>((resolve) => e.child.once("close", () => resolve()));
        e.child.kill("SIGTERM");
        const timer = setTimeout(() => e.child.kill("SIGKILL"), 2000);
        await gone;
        clearTimeout(timer);
      }),
    );
    cleanup();
  }
}

/** Kubernetes' termination message from a log: its last 80 lines, at most their last 2048 bytes. */
function logTail(log: string): string {
  const lines = log.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const text = lines.slice(-LOG_MESSAGE_LINES).join("\n");
  const bytes = Buffer.from(text);
  return bytes.length <= LOG_MESSAGE_BYTES ? text : bytes.subarray(bytes.length - LOG_MESSAGE_BYTES).toString("utf8");
}

function keyOf(o: StoredObject): string {
  return `${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}

/** The port a container is probed on: its readiness probe's TCP port, else its first container port. */
function portOf(c: Container): number | undefined {
  const p = c.readinessProbe?.tcpSocket?.port ?? c.ports?.[0]?.containerPort;
  return typeof p === "number" ? p : undefined;
}

/**
 * In-container paths → files here: a claim mounted at `mountPath` is `<mountPath>/disk.img`, a
 * Block claim is its `devicePath`, a ConfigMap key is `<mountPath>/<key>` (written under `dir`,
 * with the container's quoted claim paths in it rewritten to their files).
 */
function containerPaths(c: Container, files: ReadonlyMap<string, string>, configMaps: ReadonlyMap<string, Record<string, string>>, dir: string): Map<string, string> {
  const paths = new Map<string, string>();
  for (const m of c.volumeMounts ?? []) {
    const file = files.get(m.name);
    if (file) paths.set(`${m.mountPath.replace(/\/+$/, "")}/disk.img`, file);
  }
  for (const d of c.volumeDevices ?? []) {
    const file = files.get(d.name);
    if (file) paths.set(d.devicePath, file);
  }
  const claims = [...paths];
  for (const m of c.volumeMounts ?? []) {
    const data = configMaps.get(m.name);
    if (!data) continue;
    const at = join(dir, m.name);
    mkdirSync(at, { recursive: true });
    for (const [key, value] of Object.entries(data)) {
      let text = value;
      for (const [inside, file] of claims) text = text.split(`'${inside}'`).join(`'${file}'`).split(`"${inside}"`).join(`"${file}"`);
      writeFileSync(join(at, key), text);
      paths.set(`${m.mountPath.replace(/\/+$/, "")}/${key}`, join(at, key));
    }
  }
  return paths;
}

/**
 * The container's argv as this machine runs it: paths the container has (`paths`) become the
 * files here, `0.0.0.0` as a bind address the pod's. A message (as `program` would fail) when an
 * argument names a path the container does not have.
 */
function translate(program: string, argv: readonly string[], paths: ReadonlyMap<string, string>, ip: string): string[] | string {
  const value = (v: string, option: string | undefined): string | undefined => {
    if ((option === "--bind" || option === "-b") && v === "0.0.0.0") return ip;
    if (!v.startsWith("/")) return v;
    return paths.get(v);
  };
  const out: string[] = [];
  let pending: string | undefined;
  for (const arg of argv.slice(1)) {
    let next: string | undefined;
    if (pending !== undefined) next = value(arg, pending);
    else if (arg.startsWith("--") && arg.includes("=")) {
      const [opt, ...rest] = arg.split("=");
      const v = value(rest.join("="), opt);
      next = v === undefined ? undefined : `${opt}=${v}`;
    } else next = value(arg, undefined);
    if (next === undefined) {
      const path = pending === undefined ? arg.replace(/^--[^=]*=/, "") : arg;
      return program === "qemu-nbd" ? `qemu-nbd: Failed to blockdev-add: Could not open '${path}': No such file or directory` : `${program}: error: ${path}: No such file or directory`;
    }
    out.push(next);
    pending = pending === undefined && OPTIONS_WITH_VALUE.includes(arg) ? arg : undefined;
  }
  return out;
}

/** Options of qemu-nbd and virt-v2v-in-place whose value is the next argument. */
const OPTIONS_WITH_VALUE = ["--bind", "-b", "--port", "-p", "--export-name", "-x", "--format", "-f", "--shared", "-e", "--cache", "-i"];

/** A loopback address on which every one of `ports` is free (127.64.0.0–127.191.255.254). */
async function freeAddress(ports: readonly number[]): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const ip = `127.${randomInt(64, 192)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
    const free = await Promise.all(ports.map((p) => canListen(ip, p)));
    if (free.every(Boolean) || attempt > 20) return ip;
  }
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
  });
}
