/** Human formatting: sizes, rates, durations, tables, progress bars. */
import type { MigrationProgress } from "@vmshift/core";
import { terminalSafe } from "./terminal-safe.ts";

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"] as const;

/** `4294967296` → `4.0 GiB`. */
export function bytes(n: number): string {
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${UNITS[unit]}`;
}

/** Bytes per second → `120.0 MiB/s`. */
export function rate(n: number): string {
  return `${bytes(n)}/s`;
}

/** Milliseconds → `850 ms`, `4.3 s`, `2 min 05 s`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}

/** A fixed-width bar for 0–100. */
export function bar(percent: number, width = 24): string {
  const filled = Math.max(0, Math.min(width, Math.round((percent / 100) * width)));
  return `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
}

/** One progress line: phase, bar, percent, round, bytes, dirty rate, ETA (only the fields reported). */
export function progressLine(p: MigrationProgress, label?: string): string {
  const parts = [`${(label ? `${label} ` : "") + p.phase.padEnd(12)}`];
  if (p.percent !== undefined) parts.push(`${bar(p.percent)} ${p.percent.toFixed(1).padStart(5)}%`);
  if (p.iteration !== undefined) parts.push(`round ${p.iteration}`);
  if (p.transferredBytes !== undefined) parts.push(`${bytes(p.transferredBytes)} moved`);
  if (p.remainingBytes !== undefined) parts.push(`${bytes(p.remainingBytes)} left`);
  if (p.dirtyRateBytesPerSecond !== undefined) parts.push(`dirty ${rate(p.dirtyRateBytesPerSecond)}`);
  if (p.remainingBytes !== undefined && p.bandwidthBytesPerSecond) parts.push(`ETA ${duration((p.remainingBytes / p.bandwidthBytesPerSecond) * 1000)}`);
  if (p.expectedDowntimeMs !== undefined && p.phase === "finalizing") parts.push(`pause ~${duration(p.expectedDowntimeMs)}`);
  if (p.message && p.phase !== "transferring") parts.push(p.message);
  return parts.join("  ");
}

/** A plain text table with aligned columns; cells are made terminal-safe (see terminal-safe.ts). */
export function table(headers: readonly string[], rawRows: readonly (readonly string[])[]): string {
  const rows = rawRows.map((r) => r.map(terminalSafe));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}
