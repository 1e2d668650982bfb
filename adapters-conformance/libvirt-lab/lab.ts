/**
 * The libvirt lab from TypeScript: two libvirt daemons as two hosts on this machine (lab.sh),
 * the tiny guest (build-guest.sh), and the guest's health as printed on its serial console.
 * Test infrastructure only; everything it makes lives under `.cache/libvirt-lab/`.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
/** Repository root. */
export const REPO_ROOT = resolve(here, "../..");
/** Where the lab keeps everything it generates. */
export const LAB_DIR = process.env.VMSHIFT_LIBVIRT_LAB_DIR ?? join(REPO_ROOT, ".cache/libvirt-lab");
/** Guest files built by build-guest.sh. */
export const GUEST = { kernel: join(LAB_DIR, "guest/vmlinuz"), initrd: join(LAB_DIR, "guest/initramfs.cpio.gz") };
/** The two lab hosts. */
export const LAB_HOSTS = ["a", "b"] as const;
/** One lab host key. */
export type LabHost = (typeof LAB_HOSTS)[number];

/** Connection URI of a lab host (unix socket of its daemon). */
export function labUri(host: LabHost): string {
  return `qemu+unix:///system?socket=${join(LAB_DIR, "hosts", host, "sock/libvirt-sock")}`;
}

interface Exec {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program with an argv array (no shell). */
export function run(file: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<Exec> {
  return new Promise((resolvePromise) => {
    const child = execFile(file, [...args], { timeout: options.timeoutMs ?? 60_000, env: { ...process.env, LC_ALL: "C" }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === "number" ? ((error as { code: number }).code) : 1) : 0;
      resolvePromise({ code, stdout: String(stdout), stderr: String(stderr) || (error && code !== 0 ? error.message : "") });
    });
    child.stdin?.on("error", () => {});
    child.stdin?.end(options.input ?? "");
  });
}

/** virsh against a lab host. */
export function virsh(host: LabHost, args: readonly string[], input?: string): Promise<Exec> {
  return run("virsh", ["-q", "-c", labUri(host), ...args], input === undefined ? {} : { input });
}

/** Whether the lab can run here; the reason when not. */
export async function labAvailability(): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (process.platform !== "linux") return { ok: false, reason: "the libvirt lab needs Linux" };
  if (typeof process.getuid === "function" && process.getuid() !== 0) return { ok: false, reason: "the libvirt lab needs root (private mount namespaces for the second libvirtd)" };
  const qemu = await run("qemu-system-x86_64", ["--version"]);
  if (qemu.code !== 0) return { ok: false, reason: "qemu-system-x86_64 is not installed: run .ci/setup.d/40-libvirt.sh" };
  if (!/version 10\./.test(qemu.stdout)) return { ok: false, reason: `QEMU 10 is required (bookworm's 7.2 corrupts guests during TCG migration); found ${qemu.stdout.split("\n")[0]}` };
  for (const bin of ["libvirtd", "virsh"]) if ((await run("sh", ["-c", 'command -v "$0"', bin])).code !== 0) return { ok: false, reason: `${bin} is not installed: run .ci/setup.d/40-libvirt.sh` };
  if (!existsSync(GUEST.kernel) || !existsSync(GUEST.initrd)) return { ok: false, reason: `the lab guest is not built (${GUEST.kernel}): run .ci/setup.d/40-libvirt.sh` };
  return { ok: true };
}

/** Starts both daemons (idempotent). */
export async function startDaemons(): Promise<void> {
  const r = await run("bash", [join(here, "lab.sh"), "start"], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`libvirt lab did not start: ${r.stderr.trim()}`);
}

/** Stops both daemons (destroys lab domains first). */
export async function stopDaemons(): Promise<void> {
  await run("bash", [join(here, "lab.sh"), "stop"], { timeoutMs: 60_000 });
}

/** Guest workload: fill and dirty set in MiB, dirty rate in MiB/s (0 = flat out, -1 = idle). */
export interface Workload {
  readonly fillMiB: number;
  readonly dirtyMiB: number;
  readonly rateMiBps: number;
}

/** Size of a file now, 0 when it does not exist: the offset to read what gets appended after it. */
export function fileSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** What a file holds after byte `offset` ("" when it does not exist). */
export function readFrom(path: string, offset: number): string {
  return existsSync(path) ? readFileSync(path).subarray(offset).toString("utf8") : "";
}

/** The serial log of a lab guest (source and destination append to the same file). */
export function serialPath(name: string): string {
  return join(LAB_DIR, "serial", `${name}.log`);
}

/** Options of a lab guest beyond its size and workload. */
export interface GuestOptions {
  /**
   * QEMU trace events to enable (`-trace enable=<pattern>`, through libvirt's qemu:commandline);
   * QEMU logs them to the domain's log on each host (see `qemu-trace.ts`).
   */
  readonly traceEvents?: readonly string[];
  /** How long `bootGuest` waits for the guest's second tick, ms. Default 90 s. */
  readonly bootTimeoutMs?: number;
}

const TRACE_PATTERN = /^[A-Za-z0-9_*]+$/;

/** Domain XML of a lab guest: TCG, direct kernel boot, serial to a file, no disks. */
export function domainXml(name: string, memoryMiB: number, workload: Workload, options: GuestOptions = {}): string {
  const wl = `${workload.fillMiB},${workload.dirtyMiB},${workload.rateMiBps}`;
  const events = options.traceEvents ?? [];
  for (const e of events) if (!TRACE_PATTERN.test(e)) throw new Error(`not a QEMU trace event pattern: ${JSON.stringify(e)}`);
  const trace = events.length === 0 ? "" : `\n  <qemu:commandline>${events.map((e) => `<qemu:arg value='-trace'/><qemu:arg value='enable=${e}'/>`).join("")}</qemu:commandline>`;
  return `<domain type='qemu'${events.length === 0 ? "" : " xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'"}>
  <name>${name}</name>
  <memory unit='MiB'>${memoryMiB}</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type>
    <kernel>${GUEST.kernel}</kernel><initrd>${GUEST.initrd}</initrd>
    <cmdline>console=ttyS0 panic=-1 quiet wl=${wl}</cmdline></os>
  <on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='file'><source path='${serialPath(name)}' append='on'/><target port='0'/></serial>
    <memballoon model='none'/></devices>${trace}
</domain>
`;
}

/** Removes a lab domain from both hosts (destroy + undefine; errors ignored). */
export async function removeDomain(name: string): Promise<void> {
  for (const h of LAB_HOSTS) {
    await virsh(h, ["domjobabort", "--domain", name]);
    await virsh(h, ["destroy", "--domain", name]);
    await virsh(h, ["undefine", "--domain", name]);
  }
}

/** Health of the guest as its serial console shows it. */
export interface GuestHealth {
  readonly lastTick: number;
  readonly ticks: number;
  readonly verifyFailed: boolean;
  readonly crashed: boolean;
}

/** Reads the serial log (optionally only what came after `fromOffset` bytes). */
export function readHealth(name: string, fromOffset = 0): GuestHealth & { readonly size: number } {
  const path = serialPath(name);
  const text = readFrom(path, fromOffset);
  const ticks = [...text.matchAll(/^tick (\d+) t=\S+ dirtied=\d+MiB verify=(ok|FAIL)/gm)];
  const last = ticks.at(-1);
  return {
    lastTick: last ? Number(last[1]) : 0,
    ticks: ticks.length,
    verifyFailed: ticks.some((t) => t[2] === "FAIL"),
    crashed: /BUG:|Oops|Kernel panic|general protection/.test(text),
    size: fileSize(path),
  };
}

/**
 * Waits until the guest printed tick number `afterTick + count` or later (looking only at the log
 * after byte `fromOffset`); throws with the log tail on timeout or when the guest is unhealthy.
 */
export async function waitForTicks(name: string, afterTick: number, count: number, timeoutMs: number, fromOffset = 0): Promise<GuestHealth> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const h = readHealth(name, fromOffset);
    if (h.crashed || h.verifyFailed) throw new Error(`guest ${name} is unhealthy: ${tail(name)}`);
    if (h.lastTick >= afterTick + count) return h;
    if (Date.now() > deadline) throw new Error(`guest ${name} printed no tick beyond ${h.lastTick} within ${timeoutMs} ms (wanted ${afterTick + count}): ${tail(name)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function tail(name: string): string {
  const path = serialPath(name);
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").slice(-5).join(" | ") : "(no serial log)";
}

/** Defines a lab guest on `host` (removing any earlier copy first); does not start it. */
export async function defineGuest(name: string, host: LabHost, memoryMiB: number, workload: Workload, options: GuestOptions = {}): Promise<void> {
  await removeDomain(name);
  mkdirSync(join(LAB_DIR, "serial"), { recursive: true });
  writeFileSync(serialPath(name), "");
  const xmlFile = join(LAB_DIR, "domains", `${name}.xml`);
  mkdirSync(dirname(xmlFile), { recursive: true });
  writeFileSync(xmlFile, domainXml(name, memoryMiB, workload, options));
  const def = await virsh(host, ["define", "--file", xmlFile]);
  if (def.code !== 0) throw new Error(`define ${name} on ${host}: ${def.stderr.trim()}`);
}

/** The flag file that makes the next start of `name` on `host` fail (see the hook in lab.sh). */
export function failStartFlag(host: LabHost, name: string): string {
  return join(LAB_DIR, "hosts", host, `fail-start-${name}`);
}

/** Defines and starts a fresh lab guest on `host`, and waits for its second tick. Returns its UUID. */
export async function bootGuest(name: string, host: LabHost, memoryMiB: number, workload: Workload, options: GuestOptions = {}): Promise<string> {
  await defineGuest(name, host, memoryMiB, workload, options);
  const start = await virsh(host, ["start", "--domain", name]);
  if (start.code !== 0) throw new Error(`start ${name} on ${host}: ${start.stderr.trim()}`);
  await waitForTicks(name, 0, 2, options.bootTimeoutMs ?? 90_000);
  const uuid = await virsh(host, ["domuuid", "--domain", name]);
  return uuid.stdout.trim();
}

/** Which lab host runs the domain (state `running`), if any. */
export async function whereRunning(name: string): Promise<LabHost | undefined> {
  for (const h of LAB_HOSTS) {
    const s = await virsh(h, ["domstate", "--domain", name]);
    if (s.code === 0 && s.stdout.trim() === "running") return h;
  }
  return undefined;
}

/** PID of the QEMU process that runs `name` on `host` (from the daemon's run directory). */
export function qemuPid(host: LabHost, name: string): number | undefined {
  const file = join(LAB_DIR, "hosts", host, "run/qemu", `${name}.pid`);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, "utf8").trim());
  return Number.isSafeInteger(pid) && pid > 1 ? pid : undefined;
}

/**
 * Takes the lab for this process: one user at a time (the conformance target, the real-migration
 * tests and the bench would otherwise share two cores and stop each other's daemons). A lock
 * directory under the lab holds the owner's PID; a lock whose owner is dead is taken over.
 * Resolves with the release function; rejects after `timeoutMs`.
 */
export async function acquireLab(owner: string, timeoutMs = 15 * 60_000): Promise<() => void> {
  const dir = join(LAB_DIR, "lock");
  mkdirSync(LAB_DIR, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, "owner"), `${process.pid} ${owner}\n`);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off("exit", release);
        rmSync(dir, { recursive: true, force: true });
      };
      process.on("exit", release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = existsSync(join(dir, "owner")) ? readFileSync(join(dir, "owner"), "utf8") : "";
    const pid = Number(holder.split(" ")[0]);
    let alive = false;
    if (Number.isSafeInteger(pid) && pid > 0) {
      try {
        process.kill(pid, 0);
        alive = true;
      } catch {
        alive = false;
      }
    }
    if (!alive && holder !== "") rmSync(dir, { recursive: true, force: true });
    else if (holder === "" && existsSync(dir) && Date.now() - statSync(dir).mtimeMs > 10_000) rmSync(dir, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`the libvirt lab is busy (held by ${holder.trim() || "?"}) for more than ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
