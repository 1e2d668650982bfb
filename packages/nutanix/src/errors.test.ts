/** The error table, row by row, plus the real Prism error bodies in test/fixtures/errors. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_TABLE, type NutanixFault, faultFromBody, faultFromTask, matchRow, toVmshiftError } from "./errors.ts";

/** One fault per row that must land on exactly that row. Adding a row without a sample fails the first test. */
const SAMPLES: Record<string, NutanixFault> = {
  "v4.VMM-20005": { kind: "http", status: 404, nativeCode: "VMM-20005", message: "could not find the entity" },
  "v4.PLAT-10005": { kind: "http", status: 412, nativeCode: "PLAT-10005", message: "Invalid eTag header" },
  "v3.ENTITY_NOT_FOUND": { kind: "http", status: 404, nativeCode: "ENTITY_NOT_FOUND", message: "VM does not exist" },
  "v3.INVALID_REQUEST": { kind: "http", status: 422, nativeCode: "INVALID_REQUEST", message: "Request could not be processed." },
  "v3.INVALID_ARGUMENT": { kind: "http", status: 400, nativeCode: "INVALID_ARGUMENT", message: "size too small" },
  "v3.AUTHENTICATION_REQUIRED": { kind: "http", status: 401, nativeCode: "AUTHENTICATION_REQUIRED", message: "auth" },
  "v3.ACCESS_DENIED": { kind: "http", status: 403, nativeCode: "ACCESS_DENIED", message: "denied" },
  "v3.ENTITY_READ_ERROR": { kind: "http", status: 500, nativeCode: "ENTITY_READ_ERROR", message: "read error" },
  "v3.CONCURRENT_REQUESTS_NOT_ALLOWED": { kind: "http", status: 409, nativeCode: "CONCURRENT_REQUESTS_NOT_ALLOWED", message: "spec_version mismatch" },
  "http.400": { kind: "http", status: 400, message: "bad" },
  "http.401": { kind: "http", status: 401, message: "Authentication required" },
  "http.403": { kind: "http", status: 403, message: "forbidden" },
  "http.404": { kind: "http", status: 404, nativeCode: "PRISM-20005", message: "task not found" },
  "http.408": { kind: "http", status: 408, message: "request timeout" },
  "http.409": { kind: "http", status: 409, nativeCode: "VMM-30409", message: "busy" },
  "http.412": { kind: "http", status: 412, message: "precondition failed" },
  "http.422": { kind: "http", status: 422, message: "unprocessable" },
  "http.428": { kind: "http", status: 428, nativeCode: "VMM-10428", message: "If-Match header is required" },
  "http.429": { kind: "http", status: 429, message: "slow down" },
  "http.5xx": { kind: "http", status: 503, message: "unavailable" },
  "task.memory": { kind: "task", nativeCode: "VMM-30000", message: "not enough memory on host ahv-4" },
  "task.maintenance": { kind: "task", message: "host ahv-3 is in maintenance mode" },
  "task.incompatible": { kind: "task", message: "VM is not live migratable: CPU passthrough" },
  "task.other": { kind: "task", message: "connection to the destination host was lost" },
  "network.tls": { kind: "network", errno: "DEPTH_ZERO_SELF_SIGNED_CERT", message: "self-signed certificate" },
  "network.timeout": { kind: "network", errno: "ECONNABORTED", message: "timeout of 30000ms exceeded" },
  "network.any": { kind: "network", errno: "ECONNRESET", message: "socket hang up" },
};

describe("ERROR_TABLE", () => {
  it("has a sample for every row and no sample without a row", () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(ERROR_TABLE.map((r) => r.id).sort());
  });

  it.each(ERROR_TABLE.map((row) => [row.id, row] as const))("row %s: its sample maps to %s", (id, row) => {
    const fault = SAMPLES[id]!;
    expect(matchRow(fault).id).toBe(id);
    const error = toVmshiftError(fault, { operation: "migration.start", subject: "vm-1" });
    expect(error.code).toBe(row.code);
    expect(error.adapter).toBe("nutanix");
    expect(error.details?.["nativeRule"]).toBe(id);
    if (row.retryable !== undefined) expect(error.retryable).toBe(row.retryable);
    expect(error.message).toContain(fault.message);
    expect(error.message.split("\n")).toHaveLength(1);
  });

  it("reports 428 as a vmshift bug, not as something the caller can fix", () => {
    const error = toVmshiftError(SAMPLES["http.428"]!);
    expect(error.code).toBe("INTERNAL");
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/bug in vmshift/);
  });

  it("falls back to INTERNAL for an HTTP status no row covers (3xx)", () => {
    expect(matchRow({ kind: "http", status: 302, message: "moved" }).id).toBe("fallback");
  });
});

describe("real error bodies", () => {
  const bodies = JSON.parse(readFileSync(new URL("../test/fixtures/errors/bodies.json", import.meta.url), "utf8")) as {
    v4: { httpStatus: number; body: unknown }[];
    v3: { httpStatus: number; body: unknown }[];
  };

  it("reads the v4 AppMessage code and message", () => {
    const fault = faultFromBody(bodies.v4[0]!.httpStatus, bodies.v4[0]!.body);
    expect(fault).toMatchObject({ status: 404, nativeCode: "VMM-20005" });
    expect(fault.message).toMatch(/could not find the entity/);
    expect(toVmshiftError(fault).code).toBe("NOT_FOUND");
  });

  it("reads v3 message_list reasons", () => {
    const codes = bodies.v3.map((b) => toVmshiftError(faultFromBody(b.httpStatus, b.body)).code);
    expect(codes).toEqual(["INVALID_ARGUMENT", "INVALID_ARGUMENT", "INVALID_ARGUMENT", "TRANSPORT"]);
    expect(faultFromBody(bodies.v3[1]!.httpStatus, bodies.v3[1]!.body).message).toMatch(/Requested image size/);
  });

  it("reads failed tasks: errorMessages first, legacyErrorMessage otherwise", () => {
    expect(faultFromTask({ errorMessages: [{ code: "VMM-1", message: "not enough memory" }], legacyErrorMessage: "x" })).toEqual({ kind: "task", nativeCode: "VMM-1", message: "not enough memory" });
    expect(faultFromTask({ legacyErrorMessage: "host in maintenance" }).message).toBe("host in maintenance");
    expect(faultFromTask({}).message).toMatch(/without a message/);
  });

  it("survives bodies that are not Prism's", () => {
    expect(faultFromBody(502, "<html>bad gateway</html>").message).toContain("bad gateway");
    expect(faultFromBody(500, null).message).toBe("");
    expect(faultFromBody(400, { data: { error: { message: "schema: field x" } } }).message).toBe("schema: field x");
  });
});
