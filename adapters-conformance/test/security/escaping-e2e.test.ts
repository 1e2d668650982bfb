/**
 * The escaping helpers' promise, end to end through the real HTTP/SOAP stacks (axios, soap) to a
 * local server: a sample of the hostile corpus arrives exactly as it was given. A vCenter password
 * is read back from the Login envelope by an XML parser; a Prism VM id from the request target.
 */
import fc from "fast-check";
import { createClient, isVmshiftError } from "@vmshift/core";
import { createNutanixAdapter } from "@vmshift/nutanix";
import { createVsphereAdapter } from "@vmshift/vsphere";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prismError, vcenterRefusingLogin } from "./support/endpoints.ts";
import { hostileValue, isWellFormed } from "./support/hostile.ts";
import { elementTexts } from "./support/sax.ts";
import { type LocalTlsServer, startTlsServer } from "./support/tls-server.ts";

const SAMPLE = 40;
const XML_CHAR = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const sample = (accept: (value: string) => boolean) => fc.sample(hostileValue.filter(accept), { numRuns: SAMPLE, seed: 9 });

describe("end to end: vsphere Login carries a hostile password exactly", () => {
  let server: LocalTlsServer;
  beforeAll(async () => {
    server = await startTlsServer(vcenterRefusingLogin());
  });
  afterAll(() => server.close());

  it(`${SAMPLE} hostile passwords and user names arrive intact in the SOAP body`, async () => {
    const values = sample((v) => v.length > 0 && isWellFormed(v) && XML_CHAR.test(v));
    expect(values).toHaveLength(SAMPLE);
    for (const value of values) {
      server.requests.length = 0;
      const adapter = createVsphereAdapter({ url: `${server.origin}/sdk`, username: value, password: value, ca: server.certPem });
      const error = await createClient(adapter).getVm("vm-1").catch((e: unknown) => e);
      expect(isVmshiftError(error, "UNAUTHENTICATED"), String(error)).toBe(true);
      const login = server.requests.find((r) => r.body.includes("Login"));
      expect(login, "a Login request arrived").toBeDefined();
      expect(elementTexts(login!.body, "userName")).toEqual([value]);
      expect(elementTexts(login!.body, "password")).toEqual([value]);
    }
  });
});

describe("end to end: nutanix puts a hostile VM id into exactly one path segment", () => {
  let server: LocalTlsServer;
  beforeAll(async () => {
    // A v4 Prism Central's answer for a VM that does not exist (a bare 404 would send the adapter looking for v3).
    server = await startTlsServer(prismError(404, false, "VMM-20005"));
  });
  afterAll(() => server.close());

  it(`${SAMPLE} hostile ids arrive as the last segment of the VM path, decoded exactly`, async () => {
    // Core refuses ids with control, invisible format or separator characters before any adapter sees them (validate.ts).
    const values = sample((v) => v !== "" && v !== "." && v !== ".." && isWellFormed(v) && !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(v));
    expect(values).toHaveLength(SAMPLE);
    const client = createClient(createNutanixAdapter({ baseUrl: server.origin, auth: { apiKey: "nkey-e2e-escaping-0000" }, ca: server.certPem, retries: 0 }));
    for (const value of values) {
      server.requests.length = 0;
      const error = await client.getVm(value).catch((e: unknown) => e);
      expect(isVmshiftError(error, "NOT_FOUND"), String(error)).toBe(true);
      expect(server.requests).toHaveLength(1);
      const target = server.requests[0]!.url;
      expect(target).not.toMatch(/[?#]/);
      const segments = target.split("/");
      expect(segments.slice(0, -1).join("/")).toBe("/api/vmm/v4.0/ahv/config/vms");
      expect(decodeURIComponent(segments.at(-1)!)).toBe(value);
    }
  });
});
