import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { JobEvent } from '@lazyllm/contracts';
import { JobStore, type StoredEvent } from '@lazyllm/jobs';
import { isFinished } from './job-view';

/** How long one blocking read waits for new events before the feed reports that it is idle. */
const POLL_MS = 5_000;

export function isFinalEvent(event: JobEvent): boolean {
  return event.type !== 'token';
}

/** The read's result, or undefined as soon as `signal` aborts (the read then ends on its own, unobserved). */
function unlessAborted<T>(read: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    read.then(resolve, (err: unknown) => (signal.aborted ? resolve(undefined) : reject(err))).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * A job's events as they are published, for every reader in the gateway (SSE, the OpenAI endpoints):
 * from the start or after a given stream id, ending after the final event. Every feed ends when the
 * gateway shuts down, so no read holds the shutdown up.
 */
@Injectable()
export class JobEventFeed implements BeforeApplicationShutdown {
  private readonly shutdown = new AbortController();

  constructor(private readonly store: JobStore) {}

  /** Yields each event, and `undefined` after each POLL_MS without one (for keep-alives); stops when `signal` aborts. */
  async *follow(id: string, after: string, signal: AbortSignal): AsyncGenerator<StoredEvent | undefined> {
    const stopped = AbortSignal.any([signal, this.shutdown.signal]);
    let from = after;
    // The first read catches up without waiting; later ones wait for new events.
    let blockMs = 0;
    while (!stopped.aborted) {
      const events = await unlessAborted(this.store.readEvents(id, from, blockMs), stopped);
      if (events === undefined) return;
      for (const stored of events) {
        yield stored;
        from = stored.id;
        if (isFinalEvent(stored.event)) return;
      }
      if (events.length === 0) {
        // Nothing new: the job may have ended before `from` (a reader resuming past the end), or expired.
        // Its final event is written together with its final status, so one more read gets it if it is new.
        const record = await this.store.get(id);
        if (!record || isFinished(record.status)) {
          yield* await this.store.readEvents(id, from);
          return;
        }
        if (blockMs > 0) yield undefined;
      }
      blockMs = POLL_MS;
    }
  }

  beforeApplicationShutdown(): void {
    this.shutdown.abort();
  }
}
