/**
 * The one watch engine, after the Kubernetes list-then-watch pattern: list to get a version,
 * watch from it, follow bookmarks, reconnect with backoff when a stream drops, relist when the
 * version has expired (HTTP 410) and synthesise deletions for objects gone meanwhile.
 */
import { type Clock, systemClock, throwIfAborted } from "./clock.ts";
import { isVmshiftError } from "./errors.ts";
import { type BackoffOptions, backoffDelay } from "./wait.ts";

/** One event from a platform watch stream. */
export interface WatchEvent<T> {
  readonly type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";
  readonly object: T;
}

/** A list result with the collection version to watch from. */
export interface ListResult<T> {
  readonly items: readonly T[];
  readonly resourceVersion: string;
}

/** What {@link listWatch} needs from an adapter. */
export interface ListWatchSource<T> {
  list(signal: AbortSignal): Promise<ListResult<T>>;
  /** A stream of events after `resourceVersion`; it may end (server timeout) or throw. */
  watch(resourceVersion: string, signal: AbortSignal): AsyncIterable<WatchEvent<T>>;
  /** Identity of an object (e.g. `namespace/name`). */
  key(object: T): string;
  /** The object's version (bookmarks carry only this). */
  resourceVersion(object: T): string | undefined;
  /** True when `error` means the version is too old (HTTP 410 Gone). Default: `details.expired`. */
  isExpired?(error: unknown): boolean;
}

/** What {@link listWatch} yields. `SYNC` carries the full state after each (re)list. */
export type ListWatchEvent<T> =
  | { readonly type: "SYNC"; readonly items: readonly T[]; readonly relist: boolean }
  | { readonly type: "ADDED" | "MODIFIED" | "DELETED"; readonly object: T };

/** Options of {@link listWatch}. */
export interface ListWatchOptions {
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
  /** Reconnect backoff. Default 1 s doubling to 30 s, reset by any event. */
  readonly backoff?: BackoffOptions;
  /** Called on each reconnect or relist (for logs and tests). */
  readonly onReconnect?: (info: { readonly relist: boolean; readonly error?: unknown; readonly attempt: number }) => void;
  /** Give up after this many consecutive failed connections. Default: never. */
  readonly maxConsecutiveFailures?: number;
}

const defaultExpired = (error: unknown): boolean =>
  isVmshiftError(error) ? error.details?.["expired"] === true : (error as { expired?: unknown } | null)?.expired === true;

/**
 * Lists, then watches for ever (until `signal` fires or the consumer stops iterating).
 * Transient errors never end the iteration; they cause a reconnect after backoff.
 */
export async function* listWatch<T>(source: ListWatchSource<T>, options: ListWatchOptions = {}): AsyncGenerator<ListWatchEvent<T>> {
  const clock = options.clock ?? systemClock;
  const backoff: BackoffOptions = { initialDelayMs: 1000, maxDelayMs: 30_000, ...options.backoff };
  const isExpired = source.isExpired?.bind(source) ?? defaultExpired;
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const known = new Map<string, T>();
  let version: string | undefined;
  let failures = 0;
  let firstList = true;
  try {
    for (;;) {
      throwIfAborted(options.signal, "watch");
      try {
        if (version === undefined) {
          const listed = await source.list(controller.signal);
          const seen = new Set<string>();
          for (const item of listed.items) seen.add(source.key(item));
          for (const [key, object] of known) if (!seen.has(key)) yield { type: "DELETED", object };
          known.clear();
          for (const item of listed.items) known.set(source.key(item), item);
          version = listed.resourceVersion;
          yield { type: "SYNC", items: listed.items, relist: !firstList };
          firstList = false;
          failures = 0;
        }
        for await (const event of source.watch(version, controller.signal)) {
          failures = 0;
          const rv = source.resourceVersion(event.object);
          if (rv !== undefined) version = rv;
          if (event.type === "BOOKMARK") continue;
          const key = source.key(event.object);
          if (event.type === "DELETED") known.delete(key);
          else known.set(key, event.object);
          yield { type: event.type, object: event.object };
        }
        // The server closed the stream (its timeout): reconnect from the same version, no relist.
        options.onReconnect?.({ relist: false, attempt: 0 });
      } catch (error) {
        if (options.signal?.aborted) throw error;
        const expired = isExpired(error);
        if (expired) version = undefined;
        failures++;
        if (options.maxConsecutiveFailures !== undefined && failures > options.maxConsecutiveFailures) throw error;
        options.onReconnect?.({ relist: expired, error, attempt: failures });
        if (!expired) await clock.sleep(backoffDelay(failures - 1, backoff), options.signal);
      }
    }
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    controller.abort();
  }
}
