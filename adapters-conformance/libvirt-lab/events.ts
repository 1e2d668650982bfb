/**
 * Lifecycle events of the lab daemons, as a `virsh event --all --loop --timestamp` listener per
 * host prints them (line-buffered through `stdbuf -oL`). Measurement support for bench/adapters.ts:
 * the source daemon's `Stopped Migrated` event is the migration's last platform step (libvirt's
 * Confirm phase ends the source QEMU after the destination resumed the guest).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { LAB_HOSTS, type LabHost, labUri } from "./lab.ts";

/** One lifecycle event. */
export interface LabEvent {
  readonly host: LabHost;
  /** When the listener received it (virsh's `--timestamp`), ms since the epoch. */
  readonly at: number;
  readonly domain: string;
  /** E.g. `Stopped Migrated`, `Resumed Migrated`. */
  readonly detail: string;
}

const LINE = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}\.\d{3})([+-]\d{2})(\d{2}): event 'lifecycle' for domain '([^']*)': (.*)$/;

/** Parses one line of `virsh event --timestamp` output; undefined for other lines. */
export function parseEventLine(host: LabHost, line: string): LabEvent | undefined {
  const m = LINE.exec(line.trim());
  if (!m) return undefined;
  const at = Date.parse(`${m[1]}T${m[2]}${m[3]}:${m[4]}`);
  return Number.isFinite(at) ? { host, at, domain: m[5]!, detail: m[6]!.trim() } : undefined;
}

/** Listeners on every lab host. */
export interface LabEventLog {
  readonly events: readonly LabEvent[];
  /** The first event matching, waiting up to `timeoutMs` for it to arrive. */
  find(match: (e: LabEvent) => boolean, timeoutMs?: number): Promise<LabEvent | undefined>;
  stop(): void;
}

/** Starts one listener per lab host. Resolves once each has connected (or failed to). */
export async function listenToLabEvents(): Promise<LabEventLog> {
  const events: LabEvent[] = [];
  const children: ChildProcess[] = [];
  const stdbuf = spawnSync("sh", ["-c", "command -v stdbuf"]).status === 0;
  for (const host of LAB_HOSTS) {
    const argv = ["virsh", "-q", "-c", labUri(host), "event", "--all", "--loop", "--timestamp"];
    const child = stdbuf ? spawn("stdbuf", ["-oL", ...argv], { stdio: ["ignore", "pipe", "ignore"], env: { ...process.env, LC_ALL: "C" } }) : spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "ignore"], env: { ...process.env, LC_ALL: "C" } });
    child.on("error", () => undefined);
    let buffer = "";
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const event = parseEventLine(host, buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
        if (event) events.push(event);
      }
    });
    children.push(child);
  }
  // virsh registers its callbacks right after connecting; give it a moment.
  await new Promise((r) => setTimeout(r, 300));
  return {
    events,
    async find(match, timeoutMs = 2000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found || Date.now() >= deadline) return found;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop() {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    },
  };
}
