/**
 * A broadcast channel of fleet events for any number of readers. Lifecycle events are kept and
 * replayed to late readers; progress events are live only and, for a reader that falls behind,
 * coalesced per VM (the newest replaces an undelivered older one), so a slow reader never makes
 * memory grow with the number of progress reports.
 */
import type { FleetEvent } from "./types.ts";

interface Reader {
  readonly queue: FleetEvent[];
  wake: (() => void) | undefined;
}

/** The event hub of one execution. */
export class EventChannel {
  readonly #history: FleetEvent[] = [];
  readonly #readers = new Set<Reader>();
  #closed = false;

  /** Sends an event to every reader; ends the stream after `plan-finished`. */
  emit(event: FleetEvent): void {
    if (this.#closed) return;
    if (event.type !== "migration-progress") this.#history.push(event);
    for (const r of this.#readers) {
      if (event.type === "migration-progress") {
        const i = r.queue.findIndex((e) => e.type === "migration-progress" && e.vmId === event.vmId);
        if (i >= 0) r.queue.splice(i, 1);
      }
      r.queue.push(event);
      r.wake?.();
    }
    if (event.type === "plan-finished") this.#closed = true;
  }

  /** Events from now on (lifecycle history first), ending after `plan-finished`. */
  subscribe(signal?: AbortSignal): AsyncIterable<FleetEvent> {
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        const reader: Reader = { queue: [...self.#history], wake: undefined };
        self.#readers.add(reader);
        const onAbort = () => reader.wake?.();
        signal?.addEventListener("abort", onAbort);
        try {
          for (;;) {
            while (reader.queue.length > 0) {
              const e = reader.queue.shift()!;
              yield e;
              if (e.type === "plan-finished") return;
            }
            if (signal?.aborted) return;
            await new Promise<void>((resolve) => (reader.wake = resolve));
            reader.wake = undefined;
          }
        } finally {
          signal?.removeEventListener("abort", onAbort);
          self.#readers.delete(reader);
        }
      },
    };
  }
}
