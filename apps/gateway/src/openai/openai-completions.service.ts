import { ConflictException, HttpException, Injectable, InternalServerErrorException, ServiceUnavailableException } from '@nestjs/common';
import type { JobRecord, JobResult } from '@lazyllm/contracts';
import type { Response } from 'express';
import { RequestAdmission } from '../admission/request-admission.service';
import { openEventStream } from '../jobs/event-stream';
import { JobEventFeed } from '../jobs/job-event-feed';
import type { JobRequest } from '../jobs/job-request';
import { JobsService } from '../jobs/jobs.service';
import type { OpenAiSamplingDto } from './dto/openai-sampling.dto';
import { completionChunk, completionResponse, finishReasonOf, lazyLlmStats, responseMeta, usageChunk, type CompletionKind, type ResponseMeta } from './openai-responses';
import { ServedModel } from './served-model';

/** A job that ended with an answer. */
interface Answer {
  readonly record: JobRecord;
  readonly result: JobResult;
}

/** Aborts when the client closes the connection before the response was sent in full. */
function clientLeft(response: Response): AbortSignal {
  const left = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) left.abort();
  });
  return left.signal;
}

/**
 * Serves the OpenAI endpoints with the job pipeline: a request becomes a job like POST /jobs makes,
 * and the answer is read from the job's events, whole or as a stream of chunks. A client that goes
 * away before its answer is complete has its job cancelled, so the workers stop spending time on it.
 */
@Injectable()
export class OpenAiCompletionsService {
  constructor(
    private readonly served: ServedModel,
    private readonly admission: RequestAdmission,
    private readonly jobs: JobsService,
    private readonly feed: JobEventFeed,
  ) {}

  async respond(kind: CompletionKind, dto: OpenAiSamplingDto, request: JobRequest, response: Response): Promise<void> {
    this.served.check(dto.model);
    this.admission.check(request);
    const jobId = await this.jobs.accept(request);
    const meta = responseMeta(kind, jobId, this.served.id);
    if (dto.stream) return this.stream(meta, jobId, dto.stream_options?.include_usage ?? false, response);
    const left = clientLeft(response);
    const answer = await this.answer(jobId, left);
    if (answer === undefined) {
      if (left.aborted) return this.abandon(jobId);
      throw new ServiceUnavailableException('the gateway is shutting down; send the request again');
    }
    response.json(completionResponse(meta, answer.record, answer.result));
  }

  /** The job's answer once it is complete; undefined when reading stopped first (client gone, shutdown). */
  private async answer(jobId: string, stop: AbortSignal): Promise<Answer | undefined> {
    for await (const stored of this.feed.follow(jobId, '0', stop)) {
      const event = stored?.event;
      if (event === undefined || event.type === 'token') continue;
      if (event.type === 'failed') throw new InternalServerErrorException(`the generation failed: ${event.reason}`);
      if (event.type === 'cancelled') throw new ConflictException(`job ${jobId} was cancelled`);
      return { record: await this.jobs.record(jobId), result: event.result };
    }
    return undefined;
  }

  /**
   * Server-Sent Events as OpenAI sends them: `data: <chunk>` lines, a chat answer's role first, text as
   * it is released, the finish reason (with the LazyLLM statistics), the usage when asked, `data: [DONE]`.
   * Failures after the headers are reported in-band as `data: {"error": ...}`, which OpenAI's clients raise.
   */
  private async stream(meta: ResponseMeta, jobId: string, includeUsage: boolean, response: Response): Promise<void> {
    const stream = openEventStream(response);
    const send = (data: object | '[DONE]') => stream.send(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
    const error = (message: string, type = 'server_error') => send({ error: { message, type, param: null, code: null } });
    let streamed = '';
    try {
      if (meta.kind === 'chat') send(completionChunk(meta, { role: 'assistant', content: '' }));
      for await (const stored of this.feed.follow(jobId, '0', stream.closed)) {
        if (stored === undefined) {
          stream.send(': keep-alive\n\n');
          continue;
        }
        const event = stored.event;
        if (event.type === 'token') {
          if (event.text === '') continue;
          streamed += event.text;
          send(completionChunk(meta, { content: event.text }));
          continue;
        }
        if (event.type === 'done') {
          // What was held back while it could have begun a stop string comes only with the result.
          const rest = event.result.text.slice(streamed.length);
          if (rest !== '') send(completionChunk(meta, { content: rest }));
          const record = await this.jobs.record(jobId);
          send(completionChunk(meta, {}, finishReasonOf(event.result), { lazyllm: lazyLlmStats(record, event.result) }));
          if (includeUsage) send(usageChunk(meta, event.result));
          send('[DONE]');
        } else {
          error(event.type === 'failed' ? `the generation failed: ${event.reason}` : `job ${jobId} was cancelled`, event.type === 'failed' ? 'server_error' : 'invalid_request_error');
        }
        return;
      }
      if (stream.closed.aborted) await this.abandon(jobId);
      else error('the gateway is shutting down; send the request again');
    } catch (err) {
      error((err as Error).message);
    } finally {
      stream.end();
    }
  }

  /** Cancels the job of a client that left; one that finished meanwhile stays as it is. */
  private async abandon(jobId: string): Promise<void> {
    try {
      await this.jobs.cancel(jobId);
    } catch (err) {
      if (!(err instanceof HttpException)) throw err;
    }
  }
}
