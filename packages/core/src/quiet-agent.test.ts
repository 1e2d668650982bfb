import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { socketOptions } from "./quiet-agent.ts";

const AGENT_MODULE = fileURLToPath(new URL("./quiet-agent.ts", import.meta.url));
const SECRET = "Bearer s3cret-token-in-a-header-xyz";

/** A child process under NODE_DEBUG=http,net,tls that sends one request with a secret header. */
function requestUnderDebug(quiet: boolean): string {
  const script = `
    const http = await import("node:http");
    const { quietAgent } = await import(${JSON.stringify(AGENT_MODULE)});
    const server = http.createServer((req, res) => res.end("ok"));
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    const agent = ${quiet ? "quietAgent(new http.Agent({ keepAlive: true }))" : "new http.Agent({ keepAlive: true })"};
    await new Promise((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port: server.address().port, path: "/x", headers: { authorization: ${JSON.stringify(SECRET)} }, agent }, (res) => { res.resume(); res.on("end", resolve); });
      req.on("error", reject);
      req.end();
    });
    agent.destroy();
    server.close();
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { env: { ...process.env, NODE_DEBUG: "http,net,tls" }, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/NET \d+: createConnection/); // the debug output is really there
  return r.stderr;
}

describe("quietAgent", () => {
  it("a plain agent lets NODE_DEBUG=net print the Authorization header (the leak it prevents)", () => {
    expect(requestUnderDebug(false)).toContain("s3cret-token");
  });

  it("a quiet agent's sockets are created without the request's headers", () => {
    expect(requestUnderDebug(true)).not.toContain("s3cret-token");
  });

  it("keeps every connection field and drops the request's own", () => {
    const out = socketOptions({ host: "h", port: 1, servername: "s", ca: "c", rejectUnauthorized: true, headers: { a: 1 }, auth: "u:p", path: "/x", method: "GET" });
    expect(out).toEqual({ host: "h", port: 1, servername: "s", ca: "c", rejectUnauthorized: true });
  });
});
