/**
 * Parsers for virsh output. Machine-readable forms are used where virsh has them
 * (`domjobinfo --rawstats`, `list --uuid --name`, XML); the rest is virsh's stable
 * `Key: value` layout (printed in English: the runner sets `LC_ALL=C`).
 */
import { type PowerState, VmshiftError } from "@vmshift/core";

/** `Key:   value` lines → map (keys as printed, values trimmed). */
export function parseKeyValue(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const i = line.indexOf(":");
    if (i <= 0) continue;
    out.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return out;
}

/** A size as virsh prints it (`131072 KiB`, `7039188 KiB`) → bytes. */
export function parseSize(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*(B|bytes|KiB|MiB|GiB|TiB)?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? "B").toLowerCase();
  const mult = unit === "kib" ? 1024 : unit === "mib" ? 1024 ** 2 : unit === "gib" ? 1024 ** 3 : unit === "tib" ? 1024 ** 4 : 1;
  return Math.round(Number(m[1]) * mult);
}

/** `dominfo`. */
export interface DomInfo {
  readonly name: string;
  readonly uuid: string;
  readonly state: string;
  readonly cpus?: number;
  readonly maxMemoryBytes?: number;
  readonly persistent?: boolean;
}

/** Parses `virsh dominfo`. */
export function parseDominfo(text: string): DomInfo {
  const kv = parseKeyValue(text);
  const name = kv.get("Name");
  const uuid = kv.get("UUID");
  const state = kv.get("State");
  if (!name || !uuid || !state) throw malformed("dominfo", text);
  const cpus = kv.get("CPU(s)");
  const memory = parseSize(kv.get("Max memory"));
  const persistent = kv.get("Persistent");
  return {
    name,
    uuid,
    state,
    ...(cpus && /^\d+$/.test(cpus) ? { cpus: Number(cpus) } : {}),
    ...(memory === undefined ? {} : { maxMemoryBytes: memory }),
    ...(persistent === undefined ? {} : { persistent: persistent === "yes" }),
  };
}

/** `domstate --reason` → state and reason, e.g. `paused (migrating)`. */
export function parseDomstate(text: string): { readonly state: string; readonly reason?: string } {
  const line = text.split("\n").map((l) => l.trim()).find(Boolean);
  if (!line) throw malformed("domstate", text);
  const m = /^(.*?)\s*\((.*)\)$/.exec(line);
  return m ? { state: m[1]!, reason: m[2]! } : { state: line };
}

/** libvirt state words → vmshift power state. */
export function powerStateOf(state: string, reason?: string): PowerState {
  switch (state) {
    case "running":
    case "blocked":
    case "in shutdown":
      return "running";
    case "paused":
      return reason === "migrating" || reason === "post-copy" || reason === "incoming migration" ? "migrating" : "paused";
    case "shut off":
    case "crashed":
      return "stopped";
    case "pmsuspended":
      return "suspended";
    default:
      return "unknown";
  }
}

/** `list --all --uuid --name` (quiet) → uuid and name per domain. */
export function parseUuidNameList(text: string): { readonly uuid: string; readonly name: string }[] {
  const out: { uuid: string; name: string }[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const m = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s+(.+)$/i.exec(line);
    if (!m) throw malformed("list", text);
    out.push({ uuid: m[1]!.toLowerCase(), name: m[2]! });
  }
  return out;
}

/** One disk from `domblklist --details`. */
export interface DiskInfo {
  readonly type: string;
  readonly device: string;
  readonly target: string;
  /** Path or volume; `-` (none) becomes undefined. */
  readonly source?: string;
}

/** Parses `domblklist --details` (header lines are skipped). */
export function parseDomblklist(text: string): DiskInfo[] {
  const out: DiskInfo[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || /^-+$/.test(line) || /^Type\s+Device\s+Target\s+Source$/.test(line)) continue;
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(.+)$/.exec(line);
    if (!m) throw malformed("domblklist", text);
    out.push({ type: m[1]!, device: m[2]!, target: m[3]!, ...(m[4] === "-" ? {} : { source: m[4]! }) });
  }
  return out;
}

/** `nodeinfo` → CPU model, CPU count, memory. */
export function parseNodeinfo(text: string): { readonly cpuModel?: string; readonly cpus?: number; readonly memoryBytes?: number } {
  const kv = parseKeyValue(text);
  const cpus = kv.get("CPU(s)");
  const memory = parseSize(kv.get("Memory size"));
  const model = kv.get("CPU model");
  return {
    ...(model ? { cpuModel: model } : {}),
    ...(cpus && /^\d+$/.test(cpus) ? { cpus: Number(cpus) } : {}),
    ...(memory === undefined ? {} : { memoryBytes: memory }),
  };
}

/** `nodememstats` → total and free memory, bytes (free counts buffers and page cache as free). */
export function parseNodememstats(text: string): { readonly totalBytes?: number; readonly freeBytes?: number } {
  const kv = parseKeyValue(text);
  const total = parseSize(kv.get("total"));
  const free = parseSize(kv.get("free"));
  const reclaimable = (parseSize(kv.get("buffers")) ?? 0) + (parseSize(kv.get("cached")) ?? 0);
  return {
    ...(total === undefined ? {} : { totalBytes: total }),
    ...(free === undefined ? {} : { freeBytes: free + reclaimable }),
  };
}

/** libvirt job types (`virDomainJobType`). */
export const JOB_TYPES = ["none", "bounded", "unbounded", "completed", "failed", "cancelled"] as const;
/** One job type. */
export type JobType = (typeof JOB_TYPES)[number];

/** Job statistics from `domjobinfo --rawstats` (typed parameters, numbers where numeric). */
export interface JobStats {
  readonly type: JobType;
  readonly fields: Readonly<Record<string, number | string>>;
}

/** Parses `domjobinfo [--completed] --rawstats`: `Job type: N` then `name: value` lines. */
export function parseJobStats(text: string): JobStats {
  const kv = parseKeyValue(text);
  const typeText = kv.get("Job type");
  if (typeText === undefined || !/^\d+$/.test(typeText)) throw malformed("domjobinfo --rawstats", text);
  const type = JOB_TYPES[Number(typeText)];
  if (!type) throw malformed("domjobinfo --rawstats", text);
  const fields: Record<string, number | string> = {};
  for (const [key, value] of kv) {
    if (key === "Job type") continue;
    fields[key] = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  }
  return { type, fields };
}

/** A numeric job field, or undefined. */
export function jobNumber(stats: JobStats, name: string): number | undefined {
  const v = stats.fields[name];
  return typeof v === "number" ? v : undefined;
}

/** `domstats --dirtyrate` → the measured rate (MiB/s) once the calculation finished (`calc_status=2`). */
export function parseDirtyRate(text: string): { readonly done: boolean; readonly mibPerSecond?: number } {
  const status = /dirtyrate\.calc_status=(\d+)/.exec(text)?.[1];
  const rate = /dirtyrate\.megabytes_per_second=(\d+)/.exec(text)?.[1];
  return { done: status === "2", ...(status === "2" && rate !== undefined ? { mibPerSecond: Number(rate) } : {}) };
}

/** `migrate-getspeed` → MiB/s, or undefined when uncapped (libvirt's maximum, 8796093022207). */
export function parseMigrateSpeed(text: string): number | undefined {
  const n = Number(text.trim());
  return Number.isSafeInteger(n) && n > 0 && n < 8796093022207 ? n : undefined;
}

/** `hypervisor-cpu-compare` stdout → verdict. */
export function parseCpuCompare(text: string): "identical" | "superset" | "incompatible" | undefined {
  if (/is incompatible with/.test(text)) return "incompatible";
  if (/is a superset of/.test(text)) return "superset";
  if (/is identical to/.test(text)) return "identical";
  return undefined;
}

/** The `type` attribute of `<domain type='…'>` (e.g. `kvm`, `qemu`). */
export function domainVirtType(xml: string): string | undefined {
  return /<domain\b[^>]*\btype=['"]([a-z0-9]+)['"]/.exec(xml)?.[1];
}

function malformed(what: string, text: string): VmshiftError {
  return new VmshiftError("INTERNAL", `unexpected virsh ${what} output: ${JSON.stringify(text.slice(0, 200))}`, { adapter: "libvirt", retryable: false });
}
