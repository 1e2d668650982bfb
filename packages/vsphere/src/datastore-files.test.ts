/** `/folder` URLs of datastore files (every segment and query value escaped once, paths that climb refused), NFC device URLs, and Range reads of datastore files against a local HTTPS server. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatastoreHttp, folderUrl, nfcDeviceUrl, readDatastoreFile } from "./datastore-files.ts";

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

describe("readDatastoreFile", () => {
  // A local HTTPS server standing in for vCenter's /folder interface: Range answers (206) from a 1 MiB file, held 30 ms each, the requests in flight counted.
  let server: https.Server;
  let http: DatastoreHttp;
  let inFlight = 0;
  let most = 0;
  let dir = "";
  const body = Buffer.alloc(1 << 20);
  for (let i = 0; i < body.length; i += 4096) body.writeUInt32LE(i, i);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "vsphere-dsfile-"));
    const r = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")]);
    if (r.status !== 0) throw new Error(String(r.stderr));
    const cert = readFileSync(join(dir, "cert.pem"));
    server = https.createServer({ key: readFileSync(join(dir, "key.pem")), cert }, (req, res) => {
      const m = /^bytes=(\d+)-(\d+)$/.exec(String(req.headers["range"] ?? ""));
      if (!m) return void res.writeHead(400).end();
      inFlight++;
      most = Math.max(most, inFlight);
      const [a, b] = [Number(m[1]), Number(m[2])];
      setTimeout(() => {
        inFlight--;
        if (a === 7 * 65536) return void res.writeHead(500).end(); // one range the server fails
        res.writeHead(206, { "Content-Range": `bytes ${a}-${b}/${body.length}` }).end(body.subarray(a, b + 1));
      }, 30);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    http = { base: new URL(`https://localhost:${port}/sdk`), agent: new https.Agent({ ca: cert, keepAlive: true }), cookie: async () => "vmware_soap_session=s", secrets: () => ["s"] };
  });
  afterAll(async () => {
    http.agent.destroy();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const ranges = [0, 2, 4, 6, 8, 10].map((n) => ({ offset: n * 65536, length: 65536 }));

  it("reads the ranges with at most `parallel` requests in flight, each at its own offset", async () => {
    for (const [parallel, want] of [[undefined, 1], [4, 4]] as const) {
      most = 0;
      const dest = join(dir, `out-${parallel ?? 1}`);
      const n = await readDatastoreFile(http, { datacenter: "DC", path: "[ds] vm/vm-flat.vmdk" }, dest, { ranges, sizeBytes: body.length, ...(parallel ? { parallel } : {}) });
      expect(n).toBe(ranges.length * 65536);
      expect(most).toBe(want);
      const out = readFileSync(dest);
      expect(out.length).toBe(body.length);
      for (const r of ranges) expect(out.subarray(r.offset, r.offset + r.length).equals(body.subarray(r.offset, r.offset + r.length))).toBe(true);
      expect(out.subarray(65536, 2 * 65536).every((b) => b === 0)).toBe(true);
    }
  });

  it("stops at the first failing range and names it", async () => {
    await expect(readDatastoreFile(http, { datacenter: "DC", path: "[ds] vm/vm-flat.vmdk" }, join(dir, "bad"), { ranges: [...ranges, { offset: 7 * 65536, length: 65536 }], parallel: 3 })).rejects.toThrow(/bytes 458752\+65536\) answered HTTP 500/);
  });
});
