import { describe, expect, it } from "vitest";
import { liveSnapshot } from "./live.ts";
import type { MigrationRef } from "./migration-id.ts";
import type { HvMigrationJob } from "./resources/job.ts";
import type { HvVm } from "./resources/vm.ts";

const ref: MigrationRef = { vmId: "v1", mode: "live", sourceHost: "HV-A", targetHost: "HV-B", jobId: "Microsoft:J1", startedAt: "2026-01-01T00:00:00.000Z" };
const job = (jobState: number, over: Partial<HvMigrationJob> = {}): HvMigrationJob => ({ instanceId: "Microsoft:J1", jobState, percentComplete: 40, errorCode: 0, cancellable: true, ...over });
const vmOn = (host: string, state = "Running"): HvVm => ({ id: "v1", name: "web", state, computerName: host, isClustered: false });
const now = Date.parse("2026-01-01T00:00:05.000Z");

describe("liveSnapshot", () => {
  it.each([
    [3, "requested"],
    [4, "transferring"],
    [5, "transferring"],
  ] as const)("JobState %i is %s with the job's percent", (state, phase) => {
    const s = liveSnapshot(ref, job(state), vmOn("HV-A"), now, false);
    expect(s.phase).toBe(phase);
    expect(s.progress.percent).toBe(40);
    expect(s.result).toBeUndefined();
  });

  it("JobState 7 completes with the VM on the target", () => {
    const s = liveSnapshot(ref, job(7, { percentComplete: 100 }), vmOn("hv-b.lab.example"), now, false);
    expect(s.result).toMatchObject({ outcome: "completed", vmLocation: { hostId: "HV-B", side: "target", powerState: "running" }, durationMs: 5000 });
  });

  it("JobState 10 fails with the job's error mapped through the table, VM on its source", () => {
    const s = liveSnapshot(ref, job(10, { errorCode: 32768, errorDescription: "Migration failed: not enough memory (0x8007000E)" }), vmOn("HV-A"), now, false);
    expect(s.result).toMatchObject({ outcome: "failed", vmLocation: { side: "source", hostId: "HV-A" }, error: { code: "INSUFFICIENT_RESOURCES" } });
  });

  it("JobState 8 after a cancel request is cancelled", () => {
    const s = liveSnapshot(ref, job(8), vmOn("HV-A"), now, true);
    expect(s.result).toMatchObject({ outcome: "cancelled", vmLocation: { side: "source" }, error: { code: "ABORTED" } });
  });

  it("a vanished job is judged by where the VM is", () => {
    expect(liveSnapshot(ref, undefined, vmOn("HV-B"), now, false).phase).toBe("completed");
    expect(liveSnapshot(ref, undefined, vmOn("HV-A"), now, true).phase).toBe("cancelled");
    const lost = liveSnapshot(ref, undefined, undefined, now, false);
    expect(lost.result).toMatchObject({ outcome: "failed", vmLocation: { side: "unknown", powerState: "unknown" } });
  });
});
