import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ERROR_CODES, ERROR_CODE_DESCRIPTIONS, VmshiftError, encodedForms, isVmshiftError, redact } from "./errors.ts";

describe("VmshiftError", () => {
  it("formats one line: [adapter] operation subject: CODE: reason", () => {
    const e = new VmshiftError("INVALID_STATE", "VM is powered off", { adapter: "vsphere", operation: "migration.start", subject: "vm-123" });
    expect(e.message).toBe("[vsphere] migration.start vm-123: INVALID_STATE: VM is powered off");
    expect(e.message).not.toContain("\n");
  });

  it("folds multi-line reasons into one line", () => {
    expect(new VmshiftError("INTERNAL", "a\n  b\nc").message).toBe("[core]: INTERNAL: a b c");
  });

  it("keeps the native fault in cause and defaults retryable from the code", () => {
    const native = new Error("socket hang up");
    const e = new VmshiftError("TRANSPORT", "request failed", { cause: native });
    expect(e.cause).toBe(native);
    expect(e.retryable).toBe(true);
    expect(new VmshiftError("NOT_FOUND", "x").retryable).toBe(false);
  });

  it("instanceof holds across two installed copies (brand symbol, not prototype)", () => {
    // What another copy of @vmshift/core would construct: a plain object carrying the same registered brand.
    const foreign = Object.assign(Object.create(Error.prototype), { code: "NOT_FOUND" });
    Object.defineProperty(foreign, Symbol.for("vmshift.error"), { value: true });
    expect(foreign instanceof VmshiftError).toBe(true);
    expect(isVmshiftError(foreign, "NOT_FOUND")).toBe(true);
    expect(new Error("plain") instanceof VmshiftError).toBe(false);
    expect(isVmshiftError({ code: "NOT_FOUND" })).toBe(false);
  });

  it("withContext fills what is missing and keeps what is set", () => {
    const e = new VmshiftError("CONFLICT", "busy").withContext({ adapter: "kubevirt", operation: "migration.start", subject: "ns/vm" });
    expect(e.message).toBe("[kubevirt] migration.start ns/vm: CONFLICT: busy");
    const kept = new VmshiftError("CONFLICT", "busy", { adapter: "nutanix", operation: "a" }).withContext({ adapter: "kubevirt", operation: "b" });
    expect(kept.adapter).toBe("nutanix");
    expect(kept.operation).toBe("a");
  });

  it("describes every code", () => {
    for (const code of ERROR_CODES) expect(ERROR_CODE_DESCRIPTIONS[code].length).toBeGreaterThan(10);
  });

  it("never carries credentials in its message", () => {
    const e = new VmshiftError("UNAUTHENTICATED", "login failed: password=hunter22 Authorization: Bearer abc.def.ghi");
    expect(e.message).not.toContain("hunter22");
    expect(e.message).not.toContain("abc.def.ghi");
  });
});

describe("redact", () => {
  const cases: [string, string][] = [
    ["Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="],
    ["authorization=Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig", "eyJhbGciOiJIUzI1NiJ9"],
    ['{"password":"s3cr3t!"}', "s3cr3t!"],
    ["token: ghp_abcdefghijklmnop", "ghp_abcdefghijklmnop"],
    ["X-ntnx-api-key: 0123456789abcdef", "0123456789abcdef"],
    ['vmware_soap_session="52a1b2c3-d4e5"', "52a1b2c3-d4e5"],
    ["https://admin:Pa55word@vc.example/sdk", "Pa55word"],
    ["-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", "MIIEow"],
  ];
  it.each(cases)("masks %s", (text, secret) => {
    expect(redact(text)).not.toContain(secret);
  });
  it("masks exact extra secrets anywhere", () => {
    expect(redact("the value swordfish appears", ["swordfish"])).toBe("the value *** appears");
  });
  it("leaves ordinary text alone", () => {
    expect(redact("VM web-01 moved to host-2 in 4.2 s")).toBe("VM web-01 moved to host-2 in 4.2 s");
  });
  it("is linear on long hostile input (no catastrophic backtracking)", () => {
    const hostile = `${"password ".repeat(20_000)}${"a".repeat(50_000)}`;
    const started = performance.now();
    redact(hostile);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("redact: quoted, escaped and encoded secrets (property tests)", () => {
  // Secrets drawn from characters that break naive quoting: both quotes, backslash, markup, separators.
  const secretChar = fc.constantFrom(..."abcXYZ019'\"\\<&>=:;,{}[]%+/ @#!".split(""));
  const secret = fc.array(secretChar, { minLength: 6, maxLength: 24 }).map((cs) => `S3${cs.join("")}9z`);
  const unquotable = fc.array(fc.constantFrom(..."abcXYZ019'\"\\<&>=:%+/@#!".split("")), { minLength: 6, maxLength: 24 }).map((cs) => `S3${cs.join("")}9z`);

  const forms: [string, (s: string) => string][] = [
    ["YAML double-quoted", (s) => `password: ${JSON.stringify(s)}\nurl: https://x`],
    ["YAML single-quoted", (s) => `password: '${s.replace(/'/g, "''")}'\nurl: https://x`],
    ["JSON", (s) => JSON.stringify({ user: "admin", password: s, url: "https://x" })],
    ["JSON inside a JSON string", (s) => JSON.stringify({ body: JSON.stringify({ password: s }) })],
    ["an unterminated quote (broken config)", (s) => `token: "${JSON.stringify(s).slice(1, -1)}\nnext: 1`],
  ];
  it.each(forms)("masks the whole secret in %s", (_name, render) => {
    fc.assert(
      fc.property(secret, (s) => {
        const out = redact(render(s));
        expect(out).not.toContain(s);
        expect(out).not.toContain(JSON.stringify(s).slice(1, -1));
      }),
      { numRuns: 300 },
    );
  });

  it("masks a bare (unquoted) value up to the end of the word", () => {
    fc.assert(
      fc.property(unquotable, (s) => {
        expect(redact(`password: ${s}\nurl: https://x`)).not.toContain(s);
        expect(redact(`password=${encodeURIComponent(s)}&user=admin`)).not.toContain(encodeURIComponent(s));
      }),
      { numRuns: 300 },
    );
  });

  it("the reported case: a quote inside a double-quoted password", () => {
    expect(redact(`password: "P@ss'w\\"rd<&>"`)).toBe("password: ***");
  });

  it("masks every encoded form of an exact secret", () => {
    fc.assert(
      fc.property(secret, (s) => {
        const text = [s, JSON.stringify(s), encodeURIComponent(s), Buffer.from(s).toString("base64"), Buffer.from(s).toString("base64url")].join(" | ");
        const out = redact(text, [s]);
        for (const form of encodedForms(s)) expect(out).not.toContain(form);
      }),
      { numRuns: 200 },
    );
  });
});
