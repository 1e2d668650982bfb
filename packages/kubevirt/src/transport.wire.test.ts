/**
 * HttpKubeTransport on the wire (node:http): what it sends (URL, query encoding, headers, bodies),
 * how it reads answers (JSON, text, gzip, watch lines split anywhere), and how faults map
 * (timeouts, aborts, refused connections, Status bodies, watch ERROR events).
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { type Clock, VmshiftError, isVmshiftError } from "@vmshift/core";
import { fakeSystem } from "../test/fake-system.ts";
import { loadKubeConfig } from "./connection.ts";
import { AxiosKubeTransport, HttpKubeTransport, type HttpTransportOptions, type KubeWatchEvent, requestUrl } from "./transport.ts";

/** Real time, but retry pauses end at once. */
const instant: Clock = { now: () => Date.now(), sleep: async () => {} };
const TOKEN = "wire-token-0123456789abcdef";

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

let server: Server | undefined;
let transport: HttpKubeTransport | undefined;
afterEach(async () => {
  transport?.close();
  transport = undefined;
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
  }
  server = undefined;
});

/** A raw server: `handle` writes the answer itself. */
async function serve(handle: (req: Seen, res: ServerResponse) => void): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const request = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      seen.push(request);
      handle(request, res);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function open(url: string, options: Partial<HttpTransportOptions> = {}, user = `    token: ${TOKEN}`): HttpKubeTransport {
  const yaml = ["clusters:", "- name: c", "  cluster:", `    server: ${url}`, "users:", "- name: u", "  user:", user, "contexts:", "- name: x", "  context: {cluster: c, user: u}", "current-context: x", ""].join("\n");
  transport = new HttpKubeTransport({ kubeConfig: loadKubeConfig({ kubeconfigYaml: yaml }, fakeSystem()), clock: instant, system: fakeSystem(), ...options });
  return transport;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
};
const kubeStatus = (code: number, reason: string, message: string) => ({ kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message });

async function caught(promise: Promise<unknown>): Promise<VmshiftError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof VmshiftError)) throw new Error(`expected a VmshiftError, got ${String(error)}`);
  return error;
}

async function collect<T>(events: AsyncIterable<KubeWatchEvent<T>>): Promise<KubeWatchEvent<T>[]> {
  const out: KubeWatchEvent<T>[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe("HttpKubeTransport: requests", () => {
  it("joins the server (with its path prefix) and the API path, and encodes the query as before (`:` `,` kept, `/` `=` escaped)", async () => {
    const { url, seen } = await serve((_r, res) => json(res, 200, { kind: "VirtualMachineList", items: [] }));
    const t = open(`${url}/k8s/clusters/c-1/`);
    await t.request({ method: "GET", path: "/apis/kubevirt.io/v1/virtualmachines", query: { labelSelector: "kubevirt.io/vmi-name=web-01,app in (a b)", fieldSelector: "metadata.name=x:y", limit: 2, continue: undefined } });
    expect(seen[0]?.url).toBe("/k8s/clusters/c-1/apis/kubevirt.io/v1/virtualmachines?labelSelector=kubevirt.io%2Fvmi-name%3Dweb-01,app+in+(a+b)&fieldSelector=metadata.name%3Dx:y&limit=2");
    expect(requestUrl("https://h:6443", "/api/v1/nodes", [["watch", "true"]]).href).toBe("https://h:6443/api/v1/nodes?watch=true");
  });

  it("sends the bearer token, JSON bodies with their content type and length, and patch content types", async () => {
    const { url, seen } = await serve((r, res) => json(res, r.method === "POST" ? 201 : 200, { kind: "VirtualMachineInstanceMigration", metadata: { name: "m" } }));
    const t = open(url);
    const body = { metadata: { generateName: "vmshift-web-01-", labels: { é: "ü" } }, spec: { vmiName: "web-01" } };
    expect(await t.request({ method: "POST", path: "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstancemigrations", body })).toMatchObject({ metadata: { name: "m" } });
    await t.request({ method: "PATCH", path: "/apis/kubevirt.io/v1/namespaces/default/virtualmachines/web-01", body: { spec: { runStrategy: "Always" } }, contentType: "application/merge-patch+json" });
    await t.request({ method: "GET", path: "/api/v1/nodes" });
    const [post, patch, get] = seen;
    expect(post?.headers).toMatchObject({ authorization: `Bearer ${TOKEN}`, accept: "application/json", "content-type": "application/json", "content-length": String(Buffer.byteLength(JSON.stringify(body))), "user-agent": "vmshift-kubevirt" });
    expect(JSON.parse(post!.body)).toEqual(body);
    expect(patch?.headers["content-type"]).toBe("application/merge-patch+json");
    expect(get?.headers["content-type"]).toBeUndefined();
    expect(get?.body).toBe("");
    expect(t.requestCount).toBe(3);
  });

  it("reads an empty answer as undefined, text as text, and refuses an answer that is not JSON", async () => {
    const { url } = await serve((r, res) => {
      if (r.url.startsWith("/empty")) return void res.writeHead(202).end();
      res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" });
      res.end("# HELP kubevirt_vmi_migration_data_processed_bytes\nkubevirt_vmi_migration_data_processed_bytes 1\n");
    });
    const t = open(url);
    expect(await t.request({ method: "PUT", path: "/empty", body: {} })).toBeUndefined();
    expect(await t.requestText({ method: "GET", path: "/metrics" })).toMatch(/^# HELP kubevirt_vmi_migration_data_processed_bytes\n/);
    expect((await caught(t.request({ method: "GET", path: "/metrics" }))).code).toBe("INTERNAL");
  });

  it("decodes a gzip-compressed answer (the API server compresses large lists)", async () => {
    const list = { kind: "VirtualMachineList", items: Array.from({ length: 200 }, (_, i) => ({ metadata: { name: `vm-${i}`, annotations: { note: "ünïcødé ".repeat(20) } } })) };
    const { url, seen } = await serve((_r, res) => {
      res.writeHead(200, { "Content-Type": "application/json", "Content-Encoding": "gzip" });
      res.end(gzipSync(JSON.stringify(list)));
    });
    expect(await open(url).request({ method: "GET", path: "/apis/kubevirt.io/v1/virtualmachines" })).toEqual(list);
    expect(seen[0]?.headers["accept-encoding"]).toMatch(/gzip/);
  });

  it("maps a Status answer through the error table, with the token masked where the server echoed it", async () => {
    const { url } = await serve((r, res) => json(res, 403, kubeStatus(403, "Forbidden", `forbidden for ${r.headers.authorization}`)));
    const error = await caught(open(url).request({ method: "GET", path: "/api/v1/nodes", operation: "host.list" }));
    expect(error.code).toBe("PERMISSION_DENIED");
    expect(error.operation).toBe("host.list");
    expect(JSON.stringify({ m: error.message, c: error.cause, d: error.details })).not.toContain(TOKEN);
  });

  it("a refused connection is a retryable TRANSPORT error, retried for GET", async () => {
    const { url } = await serve(() => {});
    server!.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    const t = open(url, { retries: 2 });
    const error = await caught(t.request({ method: "GET", path: "/api/v1/nodes" }));
    expect(error.code).toBe("TRANSPORT");
    expect(error.retryable).toBe(true);
    expect(error.details?.["networkCode"]).toBe("ECONNREFUSED");
    expect(t.requestCount).toBe(3);
  });

  it("times out a request whose answer does not come, or stops half-way, as TIMEOUT", async () => {
    const { url } = await serve((r, res) => {
      if (r.url === "/half") {
        res.writeHead(200, { "Content-Type": "application/json" });
        res.write('{"kind":');
      }
    });
    const t = open(url, { timeoutMs: 150, retries: 0 });
    const started = Date.now();
    const silent = await caught(t.request({ method: "GET", path: "/silent" }));
    expect(silent.code).toBe("TIMEOUT");
    expect(silent.message).toMatch(/timeout of 150ms exceeded/);
    const half = await caught(t.request({ method: "GET", path: "/half" }));
    expect(half.code).toBe("TIMEOUT");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("an abort signal ends a request in flight (ABORTED), and one already aborted sends nothing", async () => {
    const { url, seen } = await serve(() => {});
    const t = open(url, { retries: 0 });
    const controller = new AbortController();
    const pending = caught(t.request({ method: "GET", path: "/api/v1/nodes", signal: controller.signal }));
    while (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    expect((await pending).code).toBe("ABORTED");
    expect((await caught(t.request({ method: "GET", path: "/api/v1/nodes", signal: AbortSignal.abort() }))).code).toBe("ABORTED");
    expect(seen.length).toBe(1);
  });

  it("keeps the deprecated names: AxiosKubeTransport is the same class; the axios option is refused", () => {
    expect(AxiosKubeTransport).toBe(HttpKubeTransport);
    const kubeConfig = loadKubeConfig({ kubeconfigYaml: "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:9'}}]\ncontexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n" }, fakeSystem());
    expect(new AxiosKubeTransport({ kubeConfig })).toBeInstanceOf(HttpKubeTransport);
    expect(() => new HttpKubeTransport({ kubeConfig, axios: {} } as HttpTransportOptions)).toThrow(/axios option is no longer supported/);
  });
});

describe("HttpKubeTransport: watches", () => {
  const line = (type: string, name: string) => `${JSON.stringify({ type, object: { metadata: { name, annotations: { n: "ü€𝄞" } } } })}\n`;

  it("adds watch=true and yields the events of a chunked stream, however the lines are split (multi-byte characters too)", async () => {
    const text = line("ADDED", "a") + line("MODIFIED", "b") + line("BOOKMARK", "c") + line("DELETED", "d").trimEnd();
    const bytes = Buffer.from(text);
    const { url, seen } = await serve((_r, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      // Cut into 7-byte pieces, through the middle of the multi-byte characters.
      let at = 0;
      const next = () => {
        if (at >= bytes.length) return void res.end();
        res.write(bytes.subarray(at, (at += 7)));
        setImmediate(next);
      };
      next();
    });
    const events = await collect(open(url).watch<{ metadata: { name: string; annotations: { n: string } } }>({ method: "GET", path: "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances", query: { resourceVersion: "5", fieldSelector: "metadata.name=web-01" } }));
    expect(events.map((e) => [e.type, e.object.metadata.name, e.object.metadata.annotations.n])).toEqual([
      ["ADDED", "a", "ü€𝄞"],
      ["MODIFIED", "b", "ü€𝄞"],
      ["BOOKMARK", "c", "ü€𝄞"],
      ["DELETED", "d", "ü€𝄞"],
    ]);
    expect(seen[0]?.url).toBe("/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances?resourceVersion=5&fieldSelector=metadata.name%3Dweb-01&watch=true");
  });

  it("maps an ERROR event (410 Expired) and a refused watch (Status answer)", async () => {
    const { url } = await serve((r, res) => {
      if (r.url.includes("forbidden")) return json(res, 403, kubeStatus(403, "Forbidden", "no watch for you"));
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write(line("ADDED", "a"));
      res.end(`${JSON.stringify({ type: "ERROR", object: kubeStatus(410, "Expired", "too old resource version: 1 (5)") })}\n`);
    });
    const t = open(url);
    const seen: string[] = [];
    const expired = await caught(
      (async () => {
        for await (const e of t.watch<{ metadata: { name: string } }>({ method: "GET", path: "/ok" })) seen.push(e.object.metadata.name);
      })(),
    );
    expect(seen).toEqual(["a"]);
    expect(expired.code).toBe("TRANSPORT");
    expect(expired.details?.["expired"]).toBe(true);
    expect((await caught(collect(t.watch({ method: "GET", path: "/forbidden" })))).code).toBe("PERMISSION_DENIED");
  });

  it("a watch cut by the server is a retryable TRANSPORT error; an aborted one is ABORTED", async () => {
    const { url } = await serve((r, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write(line("ADDED", "a"));
      if (r.url.startsWith("/cut")) setTimeout(() => res.destroy(), 20);
    });
    const t = open(url);
    const cut = await caught(collect(t.watch({ method: "GET", path: "/cut" })));
    expect(cut.code).toBe("TRANSPORT");
    expect(cut.retryable).toBe(true);
    const controller = new AbortController();
    const names: string[] = [];
    const aborted = await caught(
      (async () => {
        for await (const e of t.watch<{ metadata: { name: string } }>({ method: "GET", path: "/open", signal: controller.signal })) {
          names.push(e.object.metadata.name);
          controller.abort();
        }
      })(),
    );
    expect(names).toEqual(["a"]);
    expect(aborted.code).toBe("ABORTED");
  });

  it("a watch stays open past the request timeout once its answer has started", async () => {
    const { url } = await serve((_r, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write(line("ADDED", "a"));
      setTimeout(() => res.end(line("MODIFIED", "a")), 300);
    });
    const events = await collect(open(url, { timeoutMs: 100 }).watch({ method: "GET", path: "/slow" }));
    expect(events.map((e) => e.type)).toEqual(["ADDED", "MODIFIED"]);
  });

  it("no token in any error of a watch", async () => {
    const { url } = await serve((r, res) => json(res, 401, kubeStatus(401, "Unauthorized", `bad ${r.headers.authorization}`)));
    const error = await caught(collect(open(url).watch({ method: "GET", path: "/x" })));
    expect(isVmshiftError(error, "UNAUTHENTICATED")).toBe(true);
    expect(JSON.stringify({ m: error.message, c: error.cause, d: error.details, s: error.stack })).not.toContain(TOKEN);
  });
});
