import type { JobStatus } from '../../libs/contracts/src';
import { TERMINAL_STATUSES } from '../../libs/jobs/src';

/** The parts of GET /jobs/:id a throughput measurement reads. */
export interface JobSnapshot {
  readonly id: string;
  readonly status: JobStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly timings: Record<string, number>;
  readonly result?: { readonly usage: { readonly promptTokens: number; readonly completionTokens: number } };
  readonly error?: string;
}

/** The gateway's REST API over fetch, as a client uses it. */
export class GatewayClient {
  constructor(private readonly url: string) {}

  async submit(body: object): Promise<string> {
    const response = await fetch(`${this.url}/jobs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (response.status !== 202) throw new Error(`POST /jobs answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { id: string }).id;
  }

  async view(id: string): Promise<JobSnapshot> {
    const response = await fetch(`${this.url}/jobs/${encodeURIComponent(id)}`);
    if (response.status !== 200) throw new Error(`GET /jobs/${id} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as JobSnapshot;
  }

  /** Polls until every job has ended and returns their last views, in the order they ended. */
  async waitForAll(ids: readonly string[], timeoutMs: number, pollMs = 250): Promise<JobSnapshot[]> {
    const ended = new Map<string, JobSnapshot>();
    const deadline = Date.now() + timeoutMs;
    while (ended.size < ids.length) {
      if (Date.now() > deadline) throw new Error(`${ids.length - ended.size} of ${ids.length} jobs did not end within ${timeoutMs} ms`);
      for (const id of ids.filter((i) => !ended.has(i))) {
        const view = await this.view(id);
        if (TERMINAL_STATUSES.includes(view.status)) ended.set(id, view);
      }
      if (ended.size < ids.length) await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    return [...ended.values()];
  }
}
