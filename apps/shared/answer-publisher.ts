import { JobStore } from '@lazyllm/jobs';
import { AnswerText } from '@lazyllm/prompts';

/** 'job-ended': the job was finished elsewhere (cancelled through the gateway): stop working on it. */
export type PublishState = 'open' | 'stopped' | 'job-ended';

/**
 * Streams a generation's tokens as the job's token events, numbered from 0. Fed the same tokens from
 * the start, it makes the same events, and the store skips the indices already published: that is how
 * a decode worker, or a retried attempt, continues a stream without repeating or losing a token.
 */
export class AnswerPublisher {
  private count = 0;

  constructor(
    private readonly jobs: JobStore,
    private readonly jobId: string,
    readonly answer: AnswerText,
  ) {}

  /** Tokens that are part of the answer: every token pushed up to the one that completed a stop string. */
  get tokenCount(): number {
    return this.count;
  }

  async push(token: number): Promise<PublishState> {
    if (this.answer.stopped) return 'stopped';
    const piece = this.answer.push(token);
    const index = this.count++;
    if ((await this.jobs.publishToken(this.jobId, { type: 'token', index, token, text: piece.text })) === 'finished') return 'job-ended';
    return piece.stopped ? 'stopped' : 'open';
  }

  async pushAll(tokens: readonly number[]): Promise<PublishState> {
    let state: PublishState = this.answer.stopped ? 'stopped' : 'open';
    for (const token of tokens) {
      state = await this.push(token);
      if (state !== 'open') break;
    }
    return state;
  }
}
