import { VmshiftError } from "@vmshift/core";
import { describe, expect, it } from "vitest";
import { FAULT_TABLE, classifyFault, faultMessage, virshError } from "./errors.ts";
import { fixture } from "../test/fake-virsh.ts";

/**
 * One real (or libvirt-documented) stderr per row. "lab" samples were printed by virsh 11.3 in the
 * libvirt lab; the others are libvirt's message formats (src/util/virerror.c) with lab names.
 */
const SAMPLES: Record<string, { stderr: string; origin: "lab" | "libvirt" }> = {
  "VIR_ERR_OPERATION_ABORTED": { stderr: fixture("live-cancel", "migrate-aborted.stderr"), origin: "lab" },
  "VIR_ERR_NO_DOMAIN": { stderr: fixture("lab-inventory", "dominfo-missing.stderr"), origin: "lab" },
  "VIR_ERR_NO_NETWORK/STORAGE": { stderr: "error: Storage volume not found: no storage vol with matching path '/var/lib/libvirt/images/x.qcow2'", origin: "libvirt" },
  "VIR_ERR_AUTH_FAILED": { stderr: "error: failed to connect to the hypervisor\nerror: authentication failed: Failed to verify peer's certificate", origin: "libvirt" },
  "VIR_ERR_ACCESS_DENIED": { stderr: "error: access denied: 'qemu' driver does not allow this operation", origin: "libvirt" },
  "VIR_ERR_OPERATION_TIMEOUT (state lock)": { stderr: "error: Timed out during operation: cannot acquire state change lock (held by monitor=remoteDispatchDomainMigratePerform3Params)", origin: "libvirt" },
  "VIR_ERR_OPERATION_INVALID (no job)": { stderr: fixture("live-cancel", "domjobabort-nojob.stderr"), origin: "lab" },
  "VIR_ERR_OPERATION_INVALID (job active)": { stderr: "error: Requested operation is not valid: another migration job is already running for domain 'vmshift-lab-1'", origin: "libvirt" },
  "VIR_ERR_OPERATION_FAILED (already exists)": { stderr: "error: operation failed: domain 'vmshift-lab-1' already exists with uuid 69e278fe-d622-4530-be40-48fc3d033484", origin: "libvirt" },
  "VIR_ERR_OPERATION_INVALID (same host)": { stderr: "error: Attempt to migrate guest to the same host localhost", origin: "libvirt" },
  "VIR_ERR_OPERATION_INVALID (state)": { stderr: fixture("live-postcopy", "domjobinfo-source-paused.stderr"), origin: "lab" },
  "VIR_ERR_CPU_INCOMPATIBLE": { stderr: "error: operation failed: guest CPU doesn't match specification: missing features: avx512f", origin: "libvirt" },
  "VIR_ERR_CONFIG_UNSUPPORTED": { stderr: "error: unsupported configuration: cannot migrate a domain with <hostdev>", origin: "libvirt" },
  "ENOMEM / memory allocation": { stderr: "error: internal error: process exited while connecting to monitor: qemu-system-x86_64: cannot set up guest memory 'pc.ram': Cannot allocate memory", origin: "libvirt" },
  "VIR_ERR_NO_SUPPORT": { stderr: "error: Operation not supported: migration statistics are available only on the source host", origin: "lab" },
  "VIR_ERR_INVALID_ARG": { stderr: "error: invalid argument: migration URI scheme is not supported", origin: "libvirt" },
  "migration failed (QEMU/peer)": { stderr: "error: operation failed: job 'migration out' failed: Unable to write to socket: Connection reset by peer", origin: "libvirt" },
  "VIR_ERR_NO_CONNECT / RPC": { stderr: fixture("lab-inventory", "connect-failed.stderr"), origin: "lab" },
};

describe("FAULT_TABLE", () => {
  it("has a sample for every row, and no sample without a row", () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(FAULT_TABLE.map((r) => r.id).sort());
  });

  for (const row of FAULT_TABLE) {
    it(`maps ${row.id} to ${row.code}`, () => {
      const sample = SAMPLES[row.id];
      expect(sample).toBeDefined();
      const matched = classifyFault(sample!.stderr);
      expect(matched?.id).toBe(row.id);
      const error = virshError({ code: 1, stdout: "", stderr: sample!.stderr }, { operation: "test.op", subject: "vm-1", command: "migrate" });
      expect(error).toBeInstanceOf(VmshiftError);
      expect(error.code).toBe(row.code);
      expect(error.retryable).toBe(row.retryable ?? false);
      expect(error.adapter).toBe("libvirt");
    });
  }

  it("maps an unknown fault to TRANSPORT, not retryable, and keeps libvirt's words", () => {
    const error = virshError({ code: 1, stdout: "", stderr: "error: something new and strange" }, { operation: "x", command: "start" });
    expect(error.code).toBe("TRANSPORT");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("virsh start: something new and strange");
    expect(error.details?.libvirtError).toBe("unknown");
  });

  it("joins several error lines and redacts credentials", () => {
    expect(faultMessage("error: failed to connect to the hypervisor\nerror: Failed to connect socket")).toBe("failed to connect to the hypervisor; Failed to connect socket");
    const error = virshError({ code: 1, stdout: "", stderr: "error: Cannot recv data: qemu+ssh://root:hunter22@kvm-01/system password=hunter22" }, { operation: "x", command: "list" });
    expect(error.message).not.toContain("hunter22");
    expect(error.code).toBe("TRANSPORT");
  });
});
