/**
 * Node's own debug output (`NODE_DEBUG=net`, `tls`) prints the options every socket is created
 * with, and an HTTP agent hands those options over whole — request headers included, so an
 * `Authorization` header reaches stderr in clear. An agent passed through {@link quietAgent}
 * creates its sockets from the connection fields only. Every adapter that speaks HTTP uses one.
 */
import type { Agent } from "node:http";

/** Fields of a request that a socket does not need (and that may carry credentials). */
const REQUEST_ONLY_FIELDS = ["headers", "auth", "path", "href", "search", "query", "hash", "pathname", "method", "body", "data"] as const;

type CreateConnection = (options: Record<string, unknown>, callback?: unknown) => unknown;

/** Socket options without the request's own fields. */
export function socketOptions(options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...options };
  for (const field of REQUEST_ONLY_FIELDS) delete copy[field];
  return copy;
}

/** Makes `agent` create sockets without the request's headers, auth and path; returns the same agent. */
export function quietAgent<A extends Agent>(agent: A): A {
  const holder = agent as unknown as { createConnection: CreateConnection };
  const create = holder.createConnection;
  holder.createConnection = function (this: unknown, options: Record<string, unknown>, callback?: unknown) {
    return create.call(this, socketOptions(options), callback);
  };
  return agent;
}
