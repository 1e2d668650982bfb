/** Small HTTPS helpers for tests of the environment (raw API calls, reading watch lines). */
import { request } from "node:https";
import type { KubevirtEnv } from "./env.ts";

/** One raw answer. */
export interface RawAnswer {
  readonly status: number;
  readonly body: any;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** Sends one request with the environment's CA and token. */
export function call(env: KubevirtEnv, method: string, path: string, body?: unknown, contentType = "application/json", token = env.token): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(`${env.url}${path}`, { method, ca: env.tls.cert, headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "Content-Type": contentType }) } }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += String(c)));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, headers: res.headers }));
    });
    req.on("error", reject);
    if (body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}

/** Opens a watch and collects events until `stop` says enough (or `timeoutMs`). */
export function watchLines(env: KubevirtEnv, path: string, stop: (events: any[]) => boolean, timeoutMs = 5000): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const events: any[] = [];
    const req = request(`${env.url}${path}`, { ca: env.tls.cert, headers: { Authorization: `Bearer ${env.token}` } }, (res) => {
      let buffered = "";
      const finish = () => {
        clearTimeout(timer);
        req.destroy();
        resolve(events);
      };
      const timer = setTimeout(finish, timeoutMs);
      res.on("data", (c: Buffer) => {
        buffered += String(c);
        let i: number;
        while ((i = buffered.indexOf("\n")) >= 0) {
          events.push(JSON.parse(buffered.slice(0, i)));
          buffered = buffered.slice(i + 1);
        }
        if (stop(events)) finish();
      });
      res.on("end", finish);
    });
    req.on("error", (e) => (events.length ? resolve(events) : reject(e)));
    req.end();
  });
}
