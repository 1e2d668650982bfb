import { ERROR_CODES, isVmshiftError } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import { FAULT_CODES, codeForFault, faultToError } from "./errors.ts";

/** The expected mapping, written out independently of the table: one row per fault type. */
const EXPECTED: readonly (readonly [fault: string, code: string])[] = [
  ["NotAuthenticated", "UNAUTHENTICATED"],
  ["InvalidLogin", "UNAUTHENTICATED"],
  ["NoPermission", "PERMISSION_DENIED"],
  ["ManagedObjectNotFound", "NOT_FOUND"],
  ["InvalidArgument", "INVALID_ARGUMENT"],
  ["InvalidPowerState", "INVALID_STATE"],
  ["InvalidState", "INVALID_STATE"],
  ["InvalidHostState", "INVALID_STATE"],
  ["HostNotConnected", "INVALID_STATE"],
  ["HostNotReachable", "INVALID_STATE"],
  ["MethodDisabled", "INVALID_STATE"],
  ["GenericVmConfigFault", "INVALID_STATE"],
  ["TaskInProgress", "CONFLICT"],
  ["ConcurrentAccess", "CONFLICT"],
  ["InsufficientResourcesFault", "INSUFFICIENT_RESOURCES"],
  ["InsufficientMemoryResourcesFault", "INSUFFICIENT_RESOURCES"],
  ["InsufficientCpuResourcesFault", "INSUFFICIENT_RESOURCES"],
  ["InsufficientHostCapacityFault", "INSUFFICIENT_RESOURCES"],
  ["InsufficientHostMemoryCapacityFault", "INSUFFICIENT_RESOURCES"],
  ["InsufficientHostCpuCapacityFault", "INSUFFICIENT_RESOURCES"],
  ["MigrationFault", "MIGRATION_FAILED"],
  ["CpuIncompatible", "INCOMPATIBLE"],
  ["FeatureRequirementsNotMet", "INCOMPATIBLE"],
  ["DisallowedMigrationDeviceAttached", "INCOMPATIBLE"],
  ["MigrationDisabled", "INCOMPATIBLE"],
  ["MigrationFeatureNotSupported", "INCOMPATIBLE"],
  ["FullStorageVMotionNotSupported", "INCOMPATIBLE"],
  ["IncompatibleDefaultDevice", "INCOMPATIBLE"],
  ["DatacenterMismatch", "INCOMPATIBLE"],
  ["VMotionInterfaceIssue", "INCOMPATIBLE"],
  ["VMotionNotSupported", "INCOMPATIBLE"],
  ["VMotionNotLicensed", "INCOMPATIBLE"],
  ["MigrationNotReady", "INVALID_STATE"],
  ["RequestCanceled", "ABORTED"],
  ["NotSupported", "CAPABILITY_UNAVAILABLE"],
  ["MethodNotFound", "CAPABILITY_UNAVAILABLE"],
  ["Timedout", "TIMEOUT"],
  ["SystemError", "TRANSPORT"],
  ["HostCommunication", "TRANSPORT"],
  ["InvalidRequest", "INTERNAL"],
];

describe("fault table", () => {
  it("has exactly the rows this test expects (a new row needs a new expectation)", () => {
    expect(Object.keys(FAULT_CODES).sort()).toEqual(EXPECTED.map(([f]) => f).sort());
  });

  it.each(EXPECTED)("%s → %s, with the native fault in cause", (type, code) => {
    const fault = { type, message: `server says ${type}`, detail: { attributes: { "xsi:type": type } } };
    const error = faultToError(fault, { operation: "migration.start", subject: "vm-63" });
    expect(isVmshiftError(error)).toBe(true);
    expect(error.code).toBe(code);
    expect(error.cause).toEqual(fault);
    expect(error.details?.["fault"]).toBe(type);
    expect(error.message).toBe(`[vsphere] migration.start vm-63: ${code}: ${type}: server says ${type}`);
  });

  it("maps only to published codes", () => {
    for (const code of Object.values(FAULT_CODES)) expect(ERROR_CODES).toContain(code);
  });

  it.each([
    ["InsufficientStorageSpaceResourcesFault", "INSUFFICIENT_RESOURCES"],
    ["InsufficientNetworkCapacityFault", "INSUFFICIENT_RESOURCES"],
    ["SuspendedRelocateNotSupported", "INCOMPATIBLE"],
    ["DeviceBackingNotSupported", "INCOMPATIBLE"],
    ["HotSnapshotMoveNotSupported", "INCOMPATIBLE"],
  ])("family: %s → %s", (type, code) => {
    expect(codeForFault(type)).toBe(code);
  });

  it("falls back for unknown faults, by default to INTERNAL, else to the given code", () => {
    expect(codeForFault("SomethingNew")).toBe("INTERNAL");
    expect(faultToError({ type: "SomethingNew", message: "" }, { fallback: "MIGRATION_FAILED" }).code).toBe("MIGRATION_FAILED");
  });

  it("gives faults without text a readable reason (NotAuthenticated arrives with an empty faultstring)", () => {
    expect(faultToError({ type: "NotAuthenticated", message: "" }).reason).toBe("NotAuthenticated: the session is not authenticated (expired or logged out)");
  });

  it("keeps the fault in cause with secrets redacted everywhere in it (servers echo the Login password)", () => {
    const fault = { type: "InvalidLogin", message: "bad login for pw Vs-Secret-123", detail: { attributes: { "xsi:type": "InvalidLogin" }, echoed: ["Vs-Secret-123"] } };
    const error = faultToError(fault, { secrets: ["Vs-Secret-123"] });
    expect(JSON.stringify(error.cause)).not.toContain("Vs-Secret-123");
    expect((error.cause as { type: string }).type).toBe("InvalidLogin");
    expect(fault.message).toContain("Vs-Secret-123"); // the caller's object is not modified
  });

  it("masks given secrets and credential-looking text in messages", () => {
    const error = faultToError({ type: "InvalidLogin", message: "login failed for admin with hunter2-pass, password=hunter2-pass" }, { secrets: ["hunter2-pass"] });
    expect(error.message).not.toContain("hunter2-pass");
    expect(error.code).toBe("UNAUTHENTICATED");
  });
});
