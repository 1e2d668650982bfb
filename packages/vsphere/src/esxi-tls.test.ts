/** Thumbprints of ESXi device URLs: SHA-1 (what HttpNfcLeaseDeviceUrl.sslThumbprint holds), colons optional; anything else refused naming the host. */
import { describe, expect, it } from "vitest";
import { esxiAgentFor, normalizeSha1Thumbprint } from "./esxi-tls.ts";

describe("normalizeSha1Thumbprint", () => {
  it("accepts colon hex in either case and bare hex", () => {
    expect(normalizeSha1Thumbprint("4F:D8:D5:A6:61:87:52:3C:CB:7E:F6:2C:DD:96:D0:58:AD:D2:15:98", "esx")).toBe("4fd8d5a66187523ccb7ef62cdd96d058add21598");
    expect(normalizeSha1Thumbprint("4fd8d5a66187523ccb7ef62cdd96d058add21598", "esx")).toBe("4fd8d5a66187523ccb7ef62cdd96d058add21598");
  });

  it("refuses a SHA-256 or malformed value with INVALID_ARGUMENT naming the host", () => {
    expect(() => normalizeSha1Thumbprint("AB:".repeat(31) + "AB", "esx-01.example")).toThrow(/esx-01\.example.*not a SHA-1/);
    expect(() => esxiAgentFor("esx-01.example", "zz", {})).toThrow(/not a SHA-1/);
  });
});
