/** The one paginator: an `AsyncIterable` of pages with a resumable cursor and a loop guard. */
import { throwIfAborted } from "./clock.ts";
import { VmshiftError } from "./errors.ts";
import type { Page } from "./model.ts";

/** Fetches one page; `cursor` is absent for the first. */
export type PageFetcher<T> = (cursor: string | undefined, signal: AbortSignal | undefined) => Promise<Page<T>>;

/** Pages of a listing. Iterate pages with `for await`, items with `items()`, or collect with `all()`. */
export interface PageIterator<T> extends AsyncIterable<Page<T>> {
  /** Every item, page by page. */
  items(): AsyncIterable<T>;
  /** Every item in one array (mind the size of large inventories). */
  all(): Promise<T[]>;
  /** The cursor to resume from after the last page consumed; `undefined` when done or not started. */
  readonly cursor: string | undefined;
}

/** Options of {@link paginate}. */
export interface PaginateOptions {
  /** Resume from this cursor. */
  readonly startCursor?: string;
  readonly signal?: AbortSignal;
  /** For errors. */
  readonly operation?: string;
  readonly adapter?: string;
}

/**
 * Turns a page fetcher into a {@link PageIterator}. Stops when a page has no `nextCursor`;
 * throws `INTERNAL` if the platform hands back the cursor it was just given (a loop).
 */
export function paginate<T>(fetchPage: PageFetcher<T>, options: PaginateOptions = {}): PageIterator<T> {
  let resumeCursor = options.startCursor;
  const pages = async function* (): AsyncGenerator<Page<T>> {
    let cursor = options.startCursor;
    for (;;) {
      throwIfAborted(options.signal, options.operation);
      const page = await fetchPage(cursor, options.signal);
      if (page.nextCursor !== undefined && page.nextCursor === cursor) {
        throw new VmshiftError("INTERNAL", `the platform returned the same page cursor twice; stopping to avoid a loop`, {
          ...(options.adapter === undefined ? {} : { adapter: options.adapter }),
          ...(options.operation === undefined ? {} : { operation: options.operation }),
        });
      }
      resumeCursor = page.nextCursor;
      yield page;
      if (page.nextCursor === undefined) return;
      cursor = page.nextCursor;
    }
  };
  return {
    [Symbol.asyncIterator]: () => pages(),
    async *items() {
      for await (const page of pages()) yield* page.items;
    },
    async all() {
      const out: T[] = [];
      for await (const page of pages()) out.push(...page.items);
      return out;
    },
    get cursor() {
      return resumeCursor;
    },
  };
}
