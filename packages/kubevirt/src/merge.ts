/** Merges async iterables into one, in arrival order; ends when all end, throws the first error. */
type Pulled<T> = { readonly index: number; readonly result?: IteratorResult<T>; readonly error?: unknown };

export async function* mergeStreams<T>(sources: readonly AsyncIterable<T>[], signal?: AbortSignal): AsyncGenerator<T> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<Pulled<T>>>();
  // Each pull settles as a value, never a rejection, so an abandoned pull cannot become an unhandled rejection.
  const pull = (index: number) =>
    pending.set(
      index,
      iterators[index]!.next().then(
        (result) => ({ index, result }),
        (error: unknown) => ({ index, error }),
      ),
    );
  iterators.forEach((_it, i) => pull(i));
  try {
    while (pending.size > 0) {
      if (signal?.aborted) return;
      const { index, result, error } = await Promise.race(pending.values());
      if (error !== undefined) throw error;
      if (!result || result.done) {
        pending.delete(index);
        continue;
      }
      pull(index);
      yield result.value;
    }
  } finally {
    await Promise.allSettled(iterators.map((it) => it.return?.()));
  }
}
