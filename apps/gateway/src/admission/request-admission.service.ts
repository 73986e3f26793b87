import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import type { GenerationOptions, JobInput } from '@lazyllm/contracts';
import { ScheduleError, validateSchedule } from '@lazyllm/engine';
import { promptTokens } from '@lazyllm/prompts';
import { pruningSchedule } from '../../../shared/generation-params';
import { GATEWAY_SETTINGS, type GatewaySettings } from '../settings/gateway-settings';
import type { JobRequest } from '../jobs/job-request';
import { ModelProfile } from './model-profile';
import { PromptTooLongException } from './prompt-too-long.exception';

/**
 * The checks a request passes against the model before it is queued, so a worker never takes a job it
 * cannot run: the schedule fits the model's layers, a chat request has a template to render with, and
 * the prompt fits the context window (leaving room for one token) and MAX_PROMPT_TOKENS.
 */
@Injectable()
export class RequestAdmission {
  readonly promptLimit: number;

  constructor(
    private readonly model: ModelProfile,
    @Inject(GATEWAY_SETTINGS) settings: GatewaySettings,
  ) {
    this.promptLimit = Math.min(model.config.contextLength - 1, settings.maxPromptTokens ?? Infinity);
  }

  /** Whether a bare prompt goes through the chat template when the client does not say. */
  get chatByDefault(): boolean {
    return this.model.template.available;
  }

  /**
   * Returns the prompt's token count, or throws 400 (naming the field) or 422 (too long). `where`
   * prefixes messages with the request's place in a batch, e.g. "items[2].".
   */
  check(request: JobRequest, where = ''): number {
    this.checkSchedule(request.options.schedule);
    const templateField = this.fieldNeedingTemplate(request.input);
    if (templateField !== undefined && !this.model.template.available) {
      throw new BadRequestException([`${where}${templateField} needs a chat template, and this model has none`]);
    }
    const count = promptTokens(request.input, this.model.tokenizer, this.model.template).length;
    if (count > this.promptLimit) throw new PromptTooLongException(count, this.promptLimit, where);
    return count;
  }

  /** A given schedule's layers must exist in this model ('default' is placed by depth, so it always fits). */
  private checkSchedule(schedule: GenerationOptions['schedule']): void {
    try {
      validateSchedule(pruningSchedule(schedule, this.model.config.layerCount), this.model.config.layerCount);
    } catch (err) {
      if (!(err instanceof ScheduleError)) throw err;
      const name = typeof schedule === 'string' ? ` "${schedule}"` : '';
      throw new BadRequestException([`schedule${name}: ${err.message} (the model has ${this.model.config.layerCount} layers)`]);
    }
  }

  private fieldNeedingTemplate(input: JobInput): string | undefined {
    if (input.kind === 'chat') return 'messages';
    if (input.kind === 'prompt' && input.chat) return 'chat';
    return undefined;
  }
}
