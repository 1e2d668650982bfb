import { describe, expect, it } from "vitest";
import { incompatibilityCategory, parsePreflight, preflightChecks, type PreflightReportData } from "./preflight.ts";

const GiB = 1024 ** 3;
const host = (name: string, over: Record<string, unknown> = {}) => ({ name, migrationEnabled: true, authenticationType: "Kerberos", freeMemoryBytes: 64 * GiB, ...over });
const DELEGATION = ["Microsoft Virtual System Migration Service/HV-B.lab.example", "cifs/HV-B"];

function report(over: Record<string, unknown> = {}): PreflightReportData {
  return parsePreflight({
    vm: { id: "a", name: "web-01", state: "Running", computerName: "HV-A", memoryStartupBytes: 4 * GiB, isClustered: false },
    source: host("HV-A"),
    target: host("HV-B"),
    targetError: null,
    incompatibilities: [],
    compareError: null,
    runsOnSource: false,
    delegation: DELEGATION,
    storagePathExists: null,
    ...over,
  })!;
}

const ids = (checks: readonly { id: string; severity: string }[]) => checks.filter((c) => c.severity !== "info").map((c) => `${c.severity}:${c.id}`);

describe("preflightChecks", () => {
  it("passes with one info check when everything is in place", () => {
    const checks = preflightChecks({ report: report(), targetHost: "HV-B", mode: "live", remote: undefined });
    expect(checks.map((c) => c.id)).toEqual(["hyperv.ready"]);
  });

  it("reports memory, disabled migration and a paused node", () => {
    const r = report({ target: host("HV-B", { freeMemoryBytes: GiB, migrationEnabled: false, nodeState: "Paused", cluster: "C" }) });
    const checks = preflightChecks({ report: r, targetHost: "HV-B", mode: "live", remote: undefined });
    expect(ids(checks)).toEqual(["error:hyperv.target.migrationDisabled", "error:host.maintenance", "error:host.memory"]);
    expect(checks.find((c) => c.id === "host.memory")!.category).toBe("capacity");
  });

  it("maps Compare-VM incompatibilities to categories", () => {
    const r = report({ incompatibilities: [{ messageId: 24004, message: "processor-specific features not supported" }, { messageId: 33012, message: "Could not find Ethernet switch 'LAN'." }] });
    const checks = preflightChecks({ report: r, targetHost: "HV-B", mode: "live", remote: undefined });
    expect(checks.filter((c) => c.id.startsWith("hyperv.compare.")).map((c) => c.category)).toEqual(["compatibility", "network"]);
    expect(incompatibilityCategory("The virtual hard disk path is not valid")).toBe("storage");
    expect(incompatibilityCategory("A pass-through device is attached")).toBe("device");
  });

  it("explains the double hop under CredSSP unless the session itself is CredSSP", () => {
    const r = report({ source: host("HV-A", { authenticationType: "CredSSP" }), target: host("HV-B", { authenticationType: "CredSSP" }) });
    const over = preflightChecks({ report: r, targetHost: "HV-B", mode: "live", remote: { via: "winrm", host: "MGMT", authentication: "Kerberos" } });
    expect(ids(over)).toEqual(["error:hyperv.doubleHop.credssp"]);
    expect(over[0]!.message).toMatch(/double hop/);
    expect(preflightChecks({ report: r, targetHost: "HV-B", mode: "live", remote: { via: "winrm", host: "MGMT", authentication: "CredSSP" } }).map((c) => c.id)).toEqual(["hyperv.ready"]);
    expect(preflightChecks({ report: { ...r, runsOnSource: true }, targetHost: "HV-B", mode: "live", remote: undefined }).map((c) => c.id)).toEqual(["hyperv.ready"]);
  });

  it("requires Kerberos constrained delegation to the target (and cifs for storage moves)", () => {
    const none = preflightChecks({ report: report({ delegation: ["cifs/HV-C"] }), targetHost: "HV-B", mode: "live", storagePath: "D:\\VMs", remote: undefined });
    expect(ids(none)).toEqual(["error:hyperv.doubleHop.kerberos", "error:hyperv.doubleHop.cifs", "warning:hyperv.storagePath.unknown"]);
    const unknown = preflightChecks({ report: report({ delegation: null }), targetHost: "HV-B", mode: "live", remote: undefined });
    expect(ids(unknown)).toEqual(["warning:hyperv.doubleHop.unknown"]);
  });

  it("checks the destination storage path and the VM's state", () => {
    const checks = preflightChecks({ report: report({ storagePathExists: false, vm: { id: "a", name: "w", state: "Off", computerName: "HV-A" } }), targetHost: "HV-B", mode: "live", storagePath: "E:\\none", remote: undefined });
    expect(ids(checks)).toEqual(["error:vm.notRunning", "error:hyperv.storagePath.missing"]);
    expect(ids(preflightChecks({ report: report(), targetHost: "hv-a.lab.example", mode: "cold", remote: undefined }))).toContain("error:vm.alreadyOnTarget");
  });
});

describe("clustered VMs over remoting", () => {
  const clustered = () => report({ vm: { id: "a", name: "APP01", state: "Running", computerName: "HV-A", ownerNode: "HV-A", memoryStartupBytes: 4 * GiB, isClustered: true }, runsOnSource: false });
  it("Move-ClusterVirtualMachineRole from a remote session without CredSSP is an error before the move, with the fix", () => {
    for (const remote of [{ via: "winrm", host: "MGMT-01", authentication: "Kerberos" }, { via: "winrm", host: "MGMT-01", authentication: "Default" }, { via: "ssh", host: "MGMT-01" }] as const) {
      const checks = preflightChecks({ report: clustered(), targetHost: "HV-B", mode: "live", remote });
      const check = checks.find((c) => c.id === "hyperv.cluster.credssp");
      expect(check, remote.via).toMatchObject({ severity: "error", category: "policy" });
      expect(check!.message).toMatch(/CredSSP/);
      expect(check!.message).toMatch(/Enable-WSManCredSSP/);
      expect(preflightChecks({ report: clustered(), targetHost: "HV-B", mode: "cold", remote }).some((c) => c.id === "hyperv.cluster.credssp" && c.severity === "error")).toBe(true);
    }
  });
  it("is fine over CredSSP, locally, and for VMs that are not clustered", () => {
    expect(preflightChecks({ report: clustered(), targetHost: "HV-B", mode: "live", remote: { via: "winrm", host: "MGMT-01", authentication: "CredSSP" } }).some((c) => c.id === "hyperv.cluster.credssp")).toBe(false);
    expect(preflightChecks({ report: clustered(), targetHost: "HV-B", mode: "live", remote: undefined }).some((c) => c.id === "hyperv.cluster.credssp")).toBe(false);
    expect(preflightChecks({ report: report(), targetHost: "HV-B", mode: "live", remote: { via: "winrm", host: "MGMT-01", authentication: "Kerberos" } }).some((c) => c.id === "hyperv.cluster.credssp")).toBe(false);
  });
});
