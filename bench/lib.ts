/** Shared by the benchmarks: machine facts, percentiles, and the result file format `bench/run.ts` reads. */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** One measured figure. */
export interface BenchRow {
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  /** The peer measured in the same run, when there is one. */
  readonly peer?: { readonly name: string; readonly value: number };
  readonly note?: string;
}

/** Where a figure came from. */
export function machine(): { cpu: string; cores: number; memoryGiB: number; node: string; platform: string } {
  const list = cpus();
  return { cpu: list[0]?.model ?? "unknown", cores: list.length, memoryGiB: Math.round(totalmem() / 1024 ** 3), node: process.version, platform: `${process.platform}/${process.arch}` };
}

/** The p-th percentile (0–100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Writes `bench/results/<name>.json` and prints the rows. */
export function report(name: string, rows: readonly BenchRow[]): void {
  const dir = join(dirname(fileURLToPath(import.meta.url)), "results");
  mkdirSync(dir, { recursive: true });
  const result = { bench: name, measuredAt: new Date().toISOString(), machine: machine(), rows };
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  for (const r of rows) console.log(`${name}: ${r.metric} = ${format(r.value)} ${r.unit}${r.peer ? ` (${r.peer.name}: ${format(r.peer.value)} ${r.unit}, ratio ${(r.value / r.peer.value).toFixed(2)})` : ""}${r.note ? ` — ${r.note}` : ""}`);
}

/** Three significant digits, no exponent. */
export function format(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 100 ? String(Math.round(n)) : Number(n.toPrecision(3)).toString();
}
