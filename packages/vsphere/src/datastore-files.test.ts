/** `/folder` URLs of datastore files: every segment and query value escaped once, paths that climb refused. */
import { describe, expect, it } from "vitest";
import { folderUrl, nfcDeviceUrl } from "./datastore-files.ts";

const base = new URL("https://vc.example.com:8443/sdk");

describe("folderUrl", () => {
  it("puts the path under /folder and the datacenter and datastore in the query, escaped", () => {
    const u = folderUrl(base, { datacenter: "DC 1/Sub&Co", path: "[ds #1] web 1/web-1?-flat.vmdk" });
    expect(u.origin).toBe("https://vc.example.com:8443");
    expect(u.pathname).toBe("/folder/web%201/web-1%3F-flat.vmdk");
    expect(u.searchParams.get("dcPath")).toBe("DC 1/Sub&Co");
    expect(u.searchParams.get("dsName")).toBe("ds #1");
    expect(u.hash).toBe("");
  });

  it("refuses what is not a datastore path, and paths with . or .. segments", () => {
    expect(() => folderUrl(base, { datacenter: "DC0", path: "/vmfs/volumes/x/a.vmdk" })).toThrow(/not a datastore path/);
    expect(() => folderUrl(base, { datacenter: "DC0", path: "[ds1] a/../../etc/passwd" })).toThrow(/not a datastore path/);
  });
});

describe("nfcDeviceUrl", () => {
  it("puts the session's host (and its port, unless the URL names one) where the device URL has *", () => {
    const a = nfcDeviceUrl(base, "https://*/nfc/52ab/disk-0.vmdk");
    expect(a.url.href).toBe("https://vc.example.com:8443/nfc/52ab/disk-0.vmdk");
    expect(a.onSessionHost).toBe(true);
    const b = nfcDeviceUrl(base, "https://*:902/nfc/52ab/disk-0.vmdk");
    expect(b.url.host).toBe("vc.example.com:902");
    expect(b.onSessionHost).toBe(false); // another port is another origin: no cookie
  });

  it("keeps an ESXi host's name as the URL parser reads it, not the session's host, and labels it without the ticket", () => {
    const u = nfcDeviceUrl(base, "https://ESX-01.Example/nfc/52ab9f/disk-1.vmdk");
    expect(u.onSessionHost).toBe(false);
    expect(u.host).toBe("esx-01.example");
    expect(u.label).toBe("https://esx-01.example/nfc/…/disk-1.vmdk");
    expect(u.label).not.toContain("52ab9f");
    expect(nfcDeviceUrl(base, "https://[fe80::1]:443/nfc/t/disk-0.vmdk").host).toBe("[fe80::1]");
  });

  it("refuses what is not https://<host>/nfc/<ticket>/<file>: other schemes, credentials, other paths, paths that climb", () => {
    expect(() => nfcDeviceUrl(base, "http://*/nfc/t/disk-0.vmdk")).toThrow(/not https/);
    expect(() => nfcDeviceUrl(base, "https://user:pw@esx/nfc/t/disk-0.vmdk")).toThrow(/credentials/);
    expect(() => nfcDeviceUrl(base, "https://*/sdk")).toThrow(/not \/nfc/);
    expect(() => nfcDeviceUrl(base, "https://*/nfc/t/../../sdk/x")).toThrow(/not \/nfc/);
    expect(() => nfcDeviceUrl(base, "https://*/nfc/t")).toThrow(/not \/nfc/);
    expect(() => nfcDeviceUrl(base, "https://exa mple/nfc/t/d")).toThrow(/does not parse/);
  });
});
