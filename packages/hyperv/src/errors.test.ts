import { describe, expect, it } from "vitest";
import { ERROR_TABLE, type PowerShellFault, matchErrorRow, toVmshiftError } from "./errors.ts";

/** One realistic fault per row; each must be matched by exactly that row (first match wins). */
const SAMPLES: Record<string, PowerShellFault> = {
  "vmshift.vmNotFound": { origin: "script", fullyQualifiedErrorId: "VmshiftVmNotFound,VmshiftRequireVm", category: "ObjectNotFound", message: "no virtual machine with this id on the given hosts" },
  "vmshift.clusterGroupNotFound": { origin: "script", fullyQualifiedErrorId: "VmshiftClusterGroupNotFound,VmshiftRequireClusterGroup", category: "ObjectNotFound", message: "no failover cluster group (role) holds this clustered virtual machine" },
  "vmshift.jobNotFound": { origin: "script", fullyQualifiedErrorId: "VmshiftMigrationJobNotFound,VmshiftStart", category: "OperationTimeout", message: "no job" },
  "hyperv.vmNameNotFound": { origin: "script", fullyQualifiedErrorId: "InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVM", category: "InvalidArgument", message: 'Hyper-V was unable to find a virtual machine with name "web-09".' },
  "hyperv.hostNotFound": { origin: "script", category: "NotSpecified", message: "Hyper-V encountered an error trying to access an object on computer 'HV-X'. The RPC server is unavailable. (0x800706BA)" },
  "hyperv.noCredentialsInPackage": { origin: "script", hresult: 0x8009030e | 0, message: "Virtual machine migration operation failed at migration source." },
  "hyperv.noCredentialsInPackageText": { origin: "script", message: "Failed to authenticate the connection at the source host: no suitable credentials available. No credentials are available in the security package (0x8009030E)." },
  "hyperv.migrationDisabled": { origin: "script", category: "InvalidOperation", message: "The Virtual Machine Management Service on host 'HV-D' is not configured to accept live migrations." },
  "hyperv.incompatible": { origin: "script", category: "InvalidOperation", message: "The virtual machine is not compatible with the destination host's processor." },
  "hyperv.outOfMemory": { origin: "script", category: "InvalidOperation", message: "'web-01' could not initialize memory: Not enough memory in the system to start the virtual machine web-01. (0x8007000E)" },
  "hyperv.insufficientResources": { origin: "script", category: "NotSpecified", message: "'app-01' failed to start worker process: Insufficient system resources exist to complete the requested service. (0x800705AA)." },
  "hyperv.diskFull": { origin: "script", message: "There is not enough space on the disk. (0x80070070)" },
  "hyperv.migrationInProgress": { origin: "script", message: "The virtual machine is already being migrated." },
  "hyperv.invalidStateText": { origin: "script", category: "InvalidOperation", message: "The operation cannot be performed while the object is in its current state." },
  "hyperv.cancelled": { origin: "script", message: "The operation was cancelled by the user. (0x800704C7)" },
  "hyperv.accessDenied": { origin: "script", hresult: 0x80070005 | 0, message: "General access denied error" },
  "hyperv.accessDeniedText": { origin: "script", category: "NotSpecified", message: "Virtual machine migration operation failed at migration source. Access is denied. (0x80070005)" },
  "ps.logonFailure": { origin: "script", message: "Connecting to remote server HV-A failed: The user name or password is incorrect." },
  "ps.commandNotFound": { origin: "script", fullyQualifiedErrorId: "CommandNotFoundException", category: "ObjectNotFound", message: "The term 'Get-VM' is not recognized" },
  "ps.parameterBinding": { origin: "script", fullyQualifiedErrorId: "ParameterArgumentValidationError,Microsoft.HyperV.PowerShell.Commands.MoveVM", category: "InvalidData", message: "Cannot validate argument on parameter 'DestinationHost'." },
  "wmi.job.accessDenied": { origin: "job", jobErrorCode: 32769, message: "Migration did not succeed." },
  "wmi.job.notSupported": { origin: "job", jobErrorCode: 32770, message: "Not supported." },
  "wmi.job.timeout": { origin: "job", jobErrorCode: 32772, message: "Timed out." },
  "wmi.job.invalidParameter": { origin: "job", jobErrorCode: 32773, message: "Invalid parameter." },
  "wmi.job.inUse": { origin: "job", jobErrorCode: 32774, message: "System in use." },
  "wmi.job.invalidState": { origin: "job", jobErrorCode: 32775, message: "Unexpected." },
  "wmi.job.notAvailable": { origin: "job", jobErrorCode: 32777, message: "System not available." },
  "wmi.job.outOfMemory": { origin: "job", jobErrorCode: 32778, message: "Out of memory." },
  "wmi.job.failed": { origin: "job", jobErrorCode: 32768, message: "Virtual machine migration operation for 'web-01' failed at migration source 'HV-A'." },
  "category.ObjectNotFound": { origin: "script", category: "ObjectNotFound", message: "Cannot find path." },
  "category.PermissionDenied": { origin: "script", category: "PermissionDenied", message: "You are not allowed." },
  "category.SecurityError": { origin: "script", category: "SecurityError", message: "Blocked by policy." },
  "category.AuthenticationError": { origin: "script", category: "AuthenticationError", message: "Authentication failed." },
  "category.InvalidArgument": { origin: "script", category: "InvalidArgument", message: "Bad argument." },
  "category.InvalidData": { origin: "script", category: "InvalidData", message: "Bad data." },
  "category.ResourceBusy": { origin: "script", category: "ResourceBusy", message: "Busy." },
  "category.ResourceExists": { origin: "script", category: "ResourceExists", message: "Exists." },
  "category.ResourceUnavailable": { origin: "script", category: "ResourceUnavailable", message: "Unavailable." },
  "category.ConnectionError": { origin: "script", category: "ConnectionError", message: "Connection reset." },
  "category.OpenError": { origin: "script", category: "OpenError", message: "Could not open session." },
  "category.OperationTimeout": { origin: "script", category: "OperationTimeout", message: "Timed out." },
  "category.OperationStopped": { origin: "script", category: "OperationStopped", message: "Stopped." },
  "category.InvalidOperation": { origin: "script", category: "InvalidOperation", message: "Cannot do that now." },
  "category.NotImplemented": { origin: "script", category: "NotImplemented", message: "Not implemented." },
  "category.NotInstalled": { origin: "script", category: "NotInstalled", message: "Feature missing." },
  "origin.job": { origin: "job", jobErrorCode: 1, message: "Something unexpected." },
  "origin.stderr": { origin: "stderr", message: "Shell process exited." },
};

describe("ERROR_TABLE", () => {
  it("has unique row ids and a sample for every row", () => {
    const ids = ERROR_TABLE.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.keys(SAMPLES).sort()).toEqual([...ids].sort());
  });

  it.each(ERROR_TABLE.map((row) => [row.id, row] as const))("row %s matches its sample and maps to its code", (id, row) => {
    const matched = matchErrorRow(SAMPLES[id]!);
    expect(matched.id).toBe(id);
    const error = toVmshiftError(SAMPLES[id]!, { operation: "migration.start", subject: "vm-1" });
    expect(error.code).toBe(row.code);
    expect(error.adapter).toBe("hyperv");
    expect(error.details?.["rule"]).toBe(id);
  });

  it("falls back to INTERNAL for an unknown script error", () => {
    expect(toVmshiftError({ origin: "script", category: "NotSpecified", message: "weird" }, { operation: "vm.list" }).code).toBe("INTERNAL");
  });

  it("explains the double hop for 0x8009030E and keeps the HResult in details", () => {
    const error = toVmshiftError(SAMPLES["hyperv.noCredentialsInPackage"]!, { operation: "migration.start" });
    expect(error.message).toMatch(/double hop/);
    expect(error.message).toMatch(/constrained delegation/);
    expect(error.details?.["hresult"]).toBe("0x8009030E");
  });

  it("masks credentials in messages", () => {
    const error = toVmshiftError({ origin: "stderr", message: "New-PSSession failed for password=hunter22 and S3cret-Value" }, { operation: "probe", secrets: ["S3cret-Value"] });
    expect(error.message).not.toContain("hunter22");
    expect(error.message).not.toContain("S3cret-Value");
  });
});
