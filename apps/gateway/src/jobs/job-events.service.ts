import { BadRequestException, BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { JobEvent } from '@lazyllm/contracts';
import { JobStore, type StoredEvent } from '@lazyllm/jobs';
import type { Response } from 'express';
import { isFinished } from './job-view';
import { JobsService } from './jobs.service';

/** How long one blocking read waits for new events; an idle stream gets a comment line this often. */
const POLL_MS = 5_000;
/** A Redis stream entry id, as clients send it back in Last-Event-ID. */
const STREAM_ID = /^\d+-\d+$/;

function isFinalEvent(event: JobEvent): boolean {
  return event.type !== 'token';
}

/** One Server-Sent Event: the stream entry id as `id`, so a reconnecting client resumes after it. */
function formatEvent({ id, event }: StoredEvent): string {
  return `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * GET /jobs/:id/events: the job's events as Server-Sent Events, from the first one (or after
 * Last-Event-ID), ending with the final done/failed/cancelled event.
 */
@Injectable()
export class JobEventsService implements BeforeApplicationShutdown {
  private readonly open = new Set<AbortController>();

  constructor(
    private readonly store: JobStore,
    private readonly jobs: JobsService,
  ) {}

  async stream(id: string, lastEventId: string | undefined, response: Response): Promise<void> {
    if (lastEventId !== undefined && !STREAM_ID.test(lastEventId)) {
      throw new BadRequestException('Last-Event-ID must be an event id from this stream, like 1700000000000-0');
    }
    await this.jobs.record(id);
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      // Proxies such as nginx would otherwise hold tokens back in their buffers.
      'X-Accel-Buffering': 'no',
    });
    response.flushHeaders();
    // Aborted when the client goes, the stream ends, or the gateway shuts down; the response ends with it.
    const stream = new AbortController();
    stream.signal.addEventListener('abort', () => response.end());
    response.on('close', () => stream.abort());
    const send = (text: string) => {
      if (!stream.signal.aborted) response.write(text);
    };
    this.open.add(stream);
    try {
      await this.relay(id, lastEventId ?? '0', send, stream.signal);
    } catch (err) {
      // Reported in-band: the status line has gone out already. After an abort nobody is listening.
      send(`event: error\ndata: ${JSON.stringify({ message: (err as Error).message })}\n\n`);
    } finally {
      this.open.delete(stream);
      stream.abort();
    }
  }

  beforeApplicationShutdown(): void {
    for (const stream of this.open) stream.abort();
  }

  private async relay(id: string, from: string, send: (text: string) => void, closed: AbortSignal): Promise<void> {
    let after = from;
    // The first read catches up without waiting; later ones wait for new events.
    let blockMs = 0;
    while (!closed.aborted) {
      const events = await this.store.readEvents(id, after, blockMs);
      for (const stored of events) {
        send(formatEvent(stored));
        after = stored.id;
        if (isFinalEvent(stored.event)) return;
      }
      if (events.length === 0) {
        // Nothing new: the job may have ended before `after` (a client resuming past the end), or expired.
        // Its final event is written together with its final status, so one more read gets it if it is new.
        const record = await this.store.get(id);
        if (!record || isFinished(record.status)) {
          for (const stored of await this.store.readEvents(id, after)) send(formatEvent(stored));
          return;
        }
        if (blockMs > 0) send(': keep-alive\n\n');
      }
      blockMs = POLL_MS;
    }
  }
}
