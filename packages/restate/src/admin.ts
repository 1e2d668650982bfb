/**
 * Restate's admin API, for what vmshift needs of it: registering a worker's endpoint (a
 * "deployment") so Restate knows the vmshift handlers and where to invoke them.
 */
import { VmshiftError } from "@vmshift/core";
import { SERVICE_NAMES } from "./ids.ts";

const OPERATION = "restate.admin";

/** What Restate registered. */
export interface Registered {
  readonly id: string;
  /** Service names found at the endpoint (the four vmshift ones for a worker). */
  readonly services: readonly string[];
}

/**
 * Registers the worker at `workerUrl` with the Restate admin API at `adminUrl` (e.g.
 * `http://127.0.0.1:9070`). `force` replaces a registration of the same URL (same code, new
 * build: in-flight invocations continue on the new one; see the fleet guide on upgrades).
 */
export async function registerDeployment(adminUrl: string, workerUrl: string, options: { readonly force?: boolean; readonly headers?: Readonly<Record<string, string>> } = {}): Promise<Registered> {
  let response: Response;
  try {
    response = await fetch(`${adminUrl.replace(/\/+$/, "")}/deployments`, {
      method: "POST",
      headers: { "content-type": "application/json", ...options.headers },
      body: JSON.stringify({ uri: workerUrl, force: options.force ?? false }),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    throw new VmshiftError("TRANSPORT", `the Restate admin API at ${adminUrl} did not answer`, { operation: OPERATION, retryable: true, cause: error });
  }
  const text = await response.text();
  if (!response.ok) throw new VmshiftError(response.status >= 500 ? "TRANSPORT" : "INVALID_ARGUMENT", `registering ${workerUrl} with ${adminUrl}: ${response.status} ${text.slice(0, 300)}`, { operation: OPERATION, retryable: response.status >= 500 });
  const body = JSON.parse(text) as { id: string; services?: { name: string }[] };
  const services = (body.services ?? []).map((s) => s.name);
  const missing = Object.values(SERVICE_NAMES).filter((n) => !services.includes(n));
  if (missing.length > 0) throw new VmshiftError("INVALID_ARGUMENT", `${workerUrl} does not serve ${missing.join(", ")}: is it a vmshift worker?`, { operation: OPERATION });
  return { id: body.id, services };
}
