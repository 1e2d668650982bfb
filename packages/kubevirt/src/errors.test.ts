import { describe, expect, it } from "vitest";
import { isVmshiftError } from "@vmshift/core";
import { ERROR_TABLE, type KubeFault, errorRowFor, mapKubeFault } from "./errors.ts";

const status = (httpStatus: number, reason: string, message = ""): KubeFault => ({ kind: "status", httpStatus, method: "POST", path: "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstancemigrations", status: { kind: "Status", apiVersion: "v1", status: "Failure", code: httpStatus, reason, message } });
const webhook = (message: string): KubeFault => status(422, "Invalid", `admission webhook "migration-create-validator.kubevirt.io" denied the request: ${message}`);
const net = (code: string): KubeFault => ({ kind: "network", code, message: `${code} happened`, method: "GET", path: "/api/v1/nodes" });

/** One fault per row, as KubeVirt and the API server word it (reference §9). */
const SAMPLES: Record<string, KubeFault> = {
  "admission.vmiMissing": webhook('the VMI "default/web-01" does not exist'),
  "admission.finalized": webhook("Cannot migrate VMI in finalized state."),
  "admission.notMigratable": webhook("Cannot migrate VMI, Reason: DisksNotLiveMigratable, Message: cannot migrate VMI: PVC x is not shared"),
  "admission.inFlight": webhook("in-flight migration detected. Active migration job (5b0c9a52) is currently already in progress for VMI web-01."),
  "admission.priority": webhook("Migration priority queue, only virt-controller is allowed to set priority field"),
  "admission.decentralizedGate": webhook("DecentralizedLiveMigration feature gate is not enabled in kubevirt resource"),
  "admission.affinityDuringMigration": status(422, "Invalid", "Node affinity should not be changed during VMI migration"),
  "admission.specImmutable": webhook("update of VMIM object's spec is restricted"),
  "subresource.notRunning": status(409, "Conflict", "VM is not running"),
  "subresource.alreadyRunning": status(409, "Conflict", "VM is already running"),
  "subresource.manualStart": status(409, "Conflict", "Always does not support manual start requests"),
  "eviction.evacuation": status(429, "TooManyRequests", "Eviction triggered evacuation of VMI default/web-01"),
  "status.expired": status(410, "Expired", "The provided continue parameter is too old to display a consistent list result."),
  "status.alreadyExists": status(409, "AlreadyExists", 'virtualmachineinstancemigrations.kubevirt.io "m1" already exists'),
  "status.conflict": status(409, "Conflict", "the object has been modified; please apply your changes to the latest version and try again"),
  "status.notFound": status(404, "NotFound", 'virtualmachines.kubevirt.io "x" not found'),
  "status.invalid": status(422, "Invalid", 'VirtualMachineInstanceMigration.kubevirt.io "" is invalid: spec: Required value'),
  "status.badRequest": status(400, "BadRequest", "unable to parse requirement"),
  "status.unauthorized": status(401, "Unauthorized", "Unauthorized"),
  "status.forbidden": status(403, "Forbidden", 'virtualmachineinstancemigrations.kubevirt.io is forbidden: User "x" cannot create resource'),
  "status.methodNotAllowed": status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"),
  "status.tooManyRequests": status(429, "TooManyRequests", "Too many requests, please try again later."),
  "status.timeout": status(504, "Timeout", "Timeout: request did not complete within the allowed duration"),
  "status.serverError": status(503, "ServiceUnavailable", "the server is currently unable to handle the request"),
  "network.timeout": net("ECONNABORTED"),
  "network.tls": net("UNABLE_TO_VERIFY_LEAF_SIGNATURE"),
  "network.refused": net("ECONNREFUSED"),
  fallback: status(302, "", "Found"),
};

describe("ERROR_TABLE", () => {
  it("has a sample for every row, and only for rows that exist", () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(ERROR_TABLE.map((r) => r.id).sort());
  });

  for (const row of ERROR_TABLE) {
    it(`${row.id} → ${row.code}`, () => {
      const fault = SAMPLES[row.id]!;
      expect(errorRowFor(fault).id).toBe(row.id);
      const error = mapKubeFault(fault, "migration.start");
      expect(isVmshiftError(error, row.code)).toBe(true);
      expect(error.adapter).toBe("kubevirt");
      expect(error.details?.["row"]).toBe(row.id);
      if (row.retryable !== undefined) expect(error.retryable).toBe(row.retryable);
      if (row.expired) expect(error.details?.["expired"]).toBe(true);
      expect(error.cause).toEqual(fault);
    });
  }

  it("keeps the Status causes and redacts credentials from the message", () => {
    const fault: KubeFault = { kind: "status", httpStatus: 422, method: "POST", path: "/x", status: { reason: "Invalid", message: "bad: Authorization: Bearer abcdefghijklmnop", details: { causes: [{ field: "spec.vmiName", reason: "FieldValueRequired", message: "Required value" }] } } };
    const error = mapKubeFault(fault);
    expect(error.message).not.toContain("abcdefghijklmnop");
    expect(error.details?.["causes"]).toEqual([{ field: "spec.vmiName", reason: "FieldValueRequired", message: "Required value" }]);
  });

  it("masks the exact credentials sent, wherever the server echoed them (message, cause, causes)", () => {
    const token = "kvtok-0123456789abcdef";
    const fault: KubeFault = { kind: "status", httpStatus: 401, method: "GET", path: "/x", status: { reason: "Unauthorized", message: `token ${token} is not valid`, details: { causes: [{ message: `bad ${token}` }] } } };
    const error = mapKubeFault(fault, "vm.get", [token]);
    expect(error.message).not.toContain(token);
    expect(JSON.stringify(error.cause)).not.toContain(token);
    expect(JSON.stringify(error.details)).not.toContain(token);
    expect(error.code).toBe("UNAUTHENTICATED");
  });

  it("a 409 with a subresource message is INVALID_STATE, a bare 409 is a retryable CONFLICT", () => {
    expect(mapKubeFault(status(409, "Conflict", "VM is not running")).code).toBe("INVALID_STATE");
    const bare = mapKubeFault(status(409, "", ""));
    expect(bare.code).toBe("CONFLICT");
    expect(bare.retryable).toBe(true);
  });
});
