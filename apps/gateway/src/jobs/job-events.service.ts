import { BadRequestException, Injectable } from '@nestjs/common';
import type { StoredEvent } from '@lazyllm/jobs';
import type { Response } from 'express';
import { JobEventFeed } from './job-event-feed';
import { JobsService } from './jobs.service';
import { openEventStream } from './event-stream';

/** A Redis stream entry id, as clients send it back in Last-Event-ID. */
const STREAM_ID = /^\d+-\d+$/;

/** One Server-Sent Event: the stream entry id as `id`, so a reconnecting client resumes after it. */
function formatEvent({ id, event }: StoredEvent): string {
  return `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * GET /jobs/:id/events: the job's events as Server-Sent Events, from the first one (or after
 * Last-Event-ID), ending with the final done/failed/cancelled event.
 */
@Injectable()
export class JobEventsService {
  constructor(
    private readonly feed: JobEventFeed,
    private readonly jobs: JobsService,
  ) {}

  async stream(id: string, lastEventId: string | undefined, response: Response): Promise<void> {
    if (lastEventId !== undefined && !STREAM_ID.test(lastEventId)) {
      throw new BadRequestException('Last-Event-ID must be an event id from this stream, like 1700000000000-0');
    }
    await this.jobs.record(id);
    const stream = openEventStream(response);
    try {
      for await (const stored of this.feed.follow(id, lastEventId ?? '0', stream.closed)) {
        stream.send(stored === undefined ? ': keep-alive\n\n' : formatEvent(stored));
      }
    } catch (err) {
      // Reported in-band: the status line has gone out already. After the client left nobody is listening.
      stream.send(`event: error\ndata: ${JSON.stringify({ message: (err as Error).message })}\n\n`);
    } finally {
      stream.end();
    }
  }
}
