/**
 * Migration figures from virt-handler's Prometheus metrics (reference §6.1): KubeVirt's API has
 * none. Names across versions: `…_data_bytes_total` (v1.8+) or `…_data_total_bytes` (earlier);
 * `…_memory_transfer_rate_bytes` (v1.7+) or `…_disk_transfer_rate_bytes` (v1.1–v1.6).
 */
import type { MigrationProgress } from "@vmshift/core";

type Figures = Pick<MigrationProgress, "transferredBytes" | "remainingBytes" | "totalBytes" | "dirtyRateBytesPerSecond" | "bandwidthBytesPerSecond">;

const FIELD_BY_METRIC: Readonly<Record<string, keyof Figures>> = {
  kubevirt_vmi_migration_data_processed_bytes: "transferredBytes",
  kubevirt_vmi_migration_data_remaining_bytes: "remainingBytes",
  kubevirt_vmi_migration_data_bytes_total: "totalBytes",
  kubevirt_vmi_migration_data_total_bytes: "totalBytes",
  kubevirt_vmi_migration_dirty_memory_rate_bytes: "dirtyRateBytesPerSecond",
  kubevirt_vmi_migration_memory_transfer_rate_bytes: "bandwidthBytesPerSecond",
  kubevirt_vmi_migration_disk_transfer_rate_bytes: "bandwidthBytesPerSecond",
};

/** Parses Prometheus text exposition and returns the figures of one VMI (labels `namespace`, `name`). */
export function migrationFigures(text: string, namespace: string, name: string): Figures {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)\{([^}]*)\}\s+(\S+)/.exec(line.trim());
    if (!m) continue;
    const field = FIELD_BY_METRIC[m[1]!];
    if (!field || field in out) continue;
    const labels = Object.fromEntries([...m[2]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    if (labels["namespace"] !== namespace || labels["name"] !== name) continue;
    const value = Number(m[3]);
    if (Number.isFinite(value) && value >= 0) out[field] = Math.round(value);
  }
  return out as Figures;
}
