/** The dispatcher's promises: unsupported capabilities fail before any request, bad input changes nothing. */
import { type Capability, type MigrationRequest, VmshiftClient, capabilitiesFor, supported, unsupported } from "@vmshift/core";
import { coreGaps } from "../platform.ts";
import { expect, expectError, expectVmAt, platformLocation, type Scenario } from "../scenario.ts";

/** Request fields that exercise one capability each. */
const PROBES: readonly { capability: Capability; request: (vmId: string, host: string) => MigrationRequest }[] = [
  { capability: "migration.cold", request: (vmId, host) => ({ vmId, targetHostId: host, mode: "cold" }) },
  { capability: "migration.postCopy", request: (vmId, host) => ({ vmId, targetHostId: host, allowPostCopy: true }) },
  { capability: "migration.autoConverge", request: (vmId, host) => ({ vmId, targetHostId: host, allowAutoConverge: true }) },
  { capability: "migration.storage", request: (vmId, host) => ({ vmId, targetHostId: host, targetStorageId: "conformance-storage" }) },
  { capability: "migration.crossCluster", request: (vmId, host) => ({ vmId, targetHostId: host, targetClusterId: "conformance-cluster" }) },
  { capability: "migration.bandwidthLimit", request: (vmId, host) => ({ vmId, targetHostId: host, bandwidthBytesPerSecond: 1_000_000 }) },
  { capability: "migration.maxDowntime", request: (vmId, host) => ({ vmId, targetHostId: host, maxDowntimeMs: 100 }) },
  { capability: "migration.schedulerChoosesTarget", request: (vmId) => ({ vmId }) },
];

export const contractScenarios: readonly Scenario[] = [
  {
    id: "contract.core",
    title: "the adapter offers the core set: list, get, preflight, live or cold start, follow to a terminal state, attach",
    async run(context) {
      const { client, subjects } = context;
      // What the target withholds on purpose (a read-only run) is not the adapter's gap.
      const table = { ...client.capabilities(), ...Object.fromEntries(Object.keys(context.withheld ?? {}).map((c) => [c, supported()])) };
      const gaps = coreGaps(client.adapter, table);
      expect(gaps.length === 0, `core set: the adapter lacks what every migration adapter must offer: ${gaps.join("; ")}`);
      await expectVmAt(context, subjects.liveVm, { powerState: "running" }, "at the start of the suite");
    },
  },
  {
    id: "contract.not-supported",
    title: "a request needing an unsupported capability fails NOT_SUPPORTED with no request sent",
    controls: ["requestCount"],
    async run(context) {
      const { client, subjects, controls } = context;
      const before = await platformLocation(context, subjects.liveVm);
      const table = client.capabilities();
      const declared = PROBES.find((p) => table[p.capability].status === "unsupported");
      // When the adapter supports every probed capability, the same promise is checked on a copy of its table with one entry turned off.
      const probe = declared ?? PROBES[0]!;
      const subject = declared
        ? client
        : new VmshiftClient({ ...client.adapter, capabilities: { ...client.adapter.capabilities, [probe.capability]: unsupported("turned off by the conformance suite") } });
      const request = probe.request(subjects.liveVm, subjects.targetHost);
      expect(capabilitiesFor(request).includes(probe.capability), `probe for ${probe.capability} does not need it`);
      const sentBefore = controls.requestCount!();
      const error = await expectError(() => subject.startMigration(request), `a start needing ${probe.capability}`);
      expect(error.code === "NOT_SUPPORTED", `expected NOT_SUPPORTED, got ${error.code}`);
      expect(error.message.includes(probe.capability), `the message does not name ${probe.capability}: ${error.message}`);
      expect(controls.requestCount!() === sentBefore, `${controls.requestCount!() - sentBefore} request(s) reached the platform`);
      await expectVmAt(context, subjects.liveVm, { ...(before?.hostId === undefined ? {} : { hostId: before.hostId, side: "source" as const }), powerState: "running" }, "after a refused start");
    },
  },
  {
    id: "contract.invalid-argument",
    title: "bad input gets INVALID_ARGUMENT before any request",
    controls: ["requestCount"],
    async run(context) {
      const { client, controls, subjects } = context;
      const where = await platformLocation(context, subjects.liveVm);
      const before = controls.requestCount!();
      for (const bad of [{ vmId: "" }, { vmId: "x\n" }, { vmId: "ok", maxDowntimeMs: -1 }, { vmId: "ok", mode: "warp" }] as MigrationRequest[]) {
        const error = await expectError(() => client.startMigration(bad), `start with ${JSON.stringify(bad)}`);
        expect(error.code === "INVALID_ARGUMENT", `expected INVALID_ARGUMENT for ${JSON.stringify(bad)}, got ${error.code}`);
      }
      const getError = await expectError(() => client.getVm(""), "getVm('')");
      expect(getError.code === "INVALID_ARGUMENT", `getVm('') gave ${getError.code}`);
      expect(controls.requestCount!() === before, `${controls.requestCount!() - before} request(s) reached the platform`);
      await expectVmAt(context, subjects.liveVm, { ...(where?.hostId === undefined ? {} : { hostId: where.hostId, side: "source" as const }), powerState: "running" }, "after refused input");
    },
  },
];
