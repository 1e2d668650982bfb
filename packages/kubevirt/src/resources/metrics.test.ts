import { describe, expect, it } from "vitest";
import { migrationFigures } from "./metrics.ts";

const TEXT = `# HELP kubevirt_vmi_migration_data_processed_bytes The total Guest OS data processed and migrated to the new VM.
# TYPE kubevirt_vmi_migration_data_processed_bytes gauge
kubevirt_vmi_migration_data_processed_bytes{name="web-01",namespace="default",node="node-1"} 5.36870912e+08
kubevirt_vmi_migration_data_processed_bytes{name="web-01",namespace="prod",node="node-1"} 1
kubevirt_vmi_migration_data_remaining_bytes{name="web-01",namespace="default",node="node-1"} 536870912
kubevirt_vmi_migration_data_total_bytes{name="web-01",namespace="default",node="node-1"} 1073741824
kubevirt_vmi_migration_dirty_memory_rate_bytes{name="web-01",namespace="default",node="node-1"} 2.1e+07
kubevirt_vmi_migration_disk_transfer_rate_bytes{name="web-01",namespace="default",node="node-1"} 2.68435456e+08
kubevirt_vmi_migration_data_remaining_bytes{name="other",namespace="default",node="node-1"} 7
kubevirt_vmi_migration_data_remaining_bytes{name="web-01",namespace="default",node="node-1"} NaN
`;

describe("migrationFigures", () => {
  it("reads one VMI's figures, with the older metric names too", () => {
    expect(migrationFigures(TEXT, "default", "web-01")).toEqual({
      transferredBytes: 536870912,
      remainingBytes: 536870912,
      totalBytes: 1073741824,
      dirtyRateBytesPerSecond: 21000000,
      bandwidthBytesPerSecond: 268435456,
    });
  });

  it("is empty for a VMI without samples, and ignores junk", () => {
    expect(migrationFigures(TEXT, "default", "nope")).toEqual({});
    expect(migrationFigures("garbage\n{}\nkubevirt_vmi_migration_data_processed_bytes{name=\"x\"} -5", "default", "x")).toEqual({});
  });
});
