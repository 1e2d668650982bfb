/** `/folder` URLs of datastore files: every segment and query value escaped once, paths that climb refused. */
import { describe, expect, it } from "vitest";
import { folderUrl } from "./datastore-files.ts";

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
