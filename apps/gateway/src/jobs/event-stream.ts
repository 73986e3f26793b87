import type { Response } from 'express';

/** An open text/event-stream response. */
export interface EventStream {
  /** Aborts when the client goes away (or the stream was ended). */
  readonly closed: AbortSignal;
  /** Writes raw event-stream text, unless the client has gone. */
  send(text: string): void;
  end(): void;
}

/** Sends the headers of a Server-Sent Events response at once, so the client knows it is subscribed. */
export function openEventStream(response: Response): EventStream {
  response.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
    // Proxies such as nginx would otherwise hold tokens back in their buffers.
    'X-Accel-Buffering': 'no',
  });
  response.flushHeaders();
  const closed = new AbortController();
  response.on('close', () => closed.abort());
  return {
    closed: closed.signal,
    send: (text) => {
      if (!closed.signal.aborted) response.write(text);
    },
    end: () => {
      closed.abort();
      response.end();
    },
  };
}
