/** A plain-HTTP test server on 127.0.0.1 (as `kubectl proxy` serves the API): records requests, answers through a handler. */
import { type IncomingMessage, createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the server saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization?: string;
}

/** An answer: status and JSON body. */
export interface Answer {
  readonly status: number;
  readonly body?: unknown;
}

/** A running server. */
export interface TestServer {
  readonly url: string;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

/** A Kubernetes `Status` body. */
export function status(code: number, reason: string, message = reason): Answer {
  return { status: code, body: { kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message } };
}

/** Starts a server; `handler` sees each request (after it is recorded). */
export async function startHttpServer(handler: (request: SeenRequest, raw: IncomingMessage) => Answer): Promise<TestServer> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const request: SeenRequest = { method: req.method ?? "", url: req.url ?? "", ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) };
    seen.push(request);
    req.resume();
    req.on("end", () => {
      const answer = handler(request, req);
      res.writeHead(answer.status, { "Content-Type": "application/json" });
      res.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
