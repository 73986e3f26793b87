import type { JobEvent } from '@lazyllm/contracts';

/** One Server-Sent Event as the gateway writes it: the stream entry id, the event type and the JobEvent. */
export interface SseMessage {
  readonly id: string | undefined;
  readonly type: string;
  readonly data: JobEvent;
}

/** Parses a complete event-stream body; comment lines (keep-alives) are skipped. */
export function parseEventStream(body: string): SseMessage[] {
  return body
    .split('\n\n')
    .map((block) => block.split('\n').filter((line) => line !== '' && !line.startsWith(':')))
    .filter((lines) => lines.length > 0)
    .map((lines) => {
      const field = (name: string) => lines.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
      return { id: field('id'), type: field('event') ?? 'message', data: JSON.parse(field('data') ?? 'null') as JobEvent };
    });
}

/**
 * GETs an event stream and reads it to its end (the gateway ends it after the job's final event); a
 * stream still open after `timeoutMs` fails the read instead of hanging the test.
 */
export async function readEventStream(
  url: string,
  headers: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<{ status: number; contentType: string | null; messages: SseMessage[] }> {
  const response = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal: AbortSignal.timeout(timeoutMs) });
  const body = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), messages: response.ok ? parseEventStream(body) : [] };
}
