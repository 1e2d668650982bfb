/** Merges async iterables into one, in arrival order; ends when all end, throws the first error. */
export async function* mergeStreams<T>(sources: readonly AsyncIterable<T>[], signal?: AbortSignal): AsyncGenerator<T> {
  const iterators = sources.map((s) => s[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<{ readonly index: number; readonly result: IteratorResult<T> }>>();
  const pull = (index: number) => pending.set(index, iterators[index]!.next().then((result) => ({ index, result })));
  iterators.forEach((_it, i) => pull(i));
  try {
    while (pending.size > 0) {
      if (signal?.aborted) return;
      const { index, result } = await Promise.race(pending.values());
      if (result.done) {
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
