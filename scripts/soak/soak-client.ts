import type { JobEvent, JobResult } from '@lazyllm/contracts';

/** What a client saw of one job: its final result (if any), and for a streamed job the token indices in arrival order. */
export interface ClientOutcome {
  readonly id: string;
  readonly status: string;
  readonly result?: JobResult;
  readonly error?: string;
  /** Streaming only: token indices as they arrived over SSE, across reconnects. */
  readonly streamedIndices?: number[];
  /** Streaming only: final events (done/failed/cancelled) received. */
  readonly finalEvents?: number;
  readonly reconnects: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A client of the gateway that does what a careful one does through faults: submits with an
 * Idempotency-Key, so a POST retried after a dropped connection cannot create a second job; polls, or
 * streams with Last-Event-ID reconnects, until the job ends.
 */
export class SoakClient {
  constructor(private readonly base: string) {}

  async submit(body: object, idempotencyKey: string, deadline: number): Promise<string> {
    for (;;) {
      try {
        const response = await fetch(`${this.base}/jobs`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(60_000),
        });
        if (response.status === 202 || response.status === 200) return ((await response.json()) as { id: string }).id;
        if (response.status < 500) throw new Error(`submission refused: ${response.status} ${await response.text()}`);
      } catch (err) {
        if ((err as Error).message.startsWith('submission refused')) throw err;
      }
      if (Date.now() > deadline) throw new Error('could not submit before the deadline');
      await sleep(500);
    }
  }

  async poll(id: string, deadline: number): Promise<ClientOutcome> {
    let reconnects = 0;
    for (;;) {
      try {
        const response = await fetch(`${this.base}/jobs/${id}`, { signal: AbortSignal.timeout(30_000) });
        if (response.ok) {
          const view = (await response.json()) as { status: string; result?: JobResult; error?: string };
          if (['completed', 'failed', 'cancelled'].includes(view.status)) return { id, status: view.status, result: view.result, error: view.error, reconnects };
        }
      } catch {
        reconnects++;
      }
      if (Date.now() > deadline) return { id, status: 'lost', reconnects };
      await sleep(500);
    }
  }

  async stream(id: string, deadline: number): Promise<ClientOutcome> {
    const indices: number[] = [];
    let finals = 0;
    let last: JobEvent | undefined;
    let lastEventId: string | undefined;
    let reconnects = -1;
    while (Date.now() < deadline && finals === 0) {
      reconnects++;
      try {
        const headers: Record<string, string> = { Accept: 'text/event-stream' };
        if (lastEventId !== undefined) headers['Last-Event-ID'] = lastEventId;
        const response = await fetch(`${this.base}/jobs/${id}/events`, { headers, signal: AbortSignal.timeout(Math.max(1000, deadline - Date.now())) });
        if (!response.ok || !response.body) {
          await sleep(500);
          continue;
        }
        let buffer = '';
        const decoder = new TextDecoder();
        for await (const chunk of response.body) {
          buffer += decoder.decode(chunk as Uint8Array, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end).split('\n');
            buffer = buffer.slice(end + 2);
            const field = (name: string) => block.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
            const data = field('data');
            if (data === undefined || field('event') === 'error') continue;
            const event = JSON.parse(data) as JobEvent;
            lastEventId = field('id') ?? lastEventId;
            if (event.type === 'token') indices.push(event.index);
            else {
              finals++;
              last = event;
            }
          }
        }
      } catch {
        await sleep(500);
      }
    }
    const base = { id, streamedIndices: indices, finalEvents: finals, reconnects };
    if (last?.type === 'done') return { ...base, status: 'completed', result: last.result };
    if (last?.type === 'failed') return { ...base, status: 'failed', error: last.reason };
    return { ...base, status: last?.type ?? 'lost' };
  }
}
