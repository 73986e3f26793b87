import { randomInt } from 'node:crypto';
import type { ChatMessage, GenerationOptions } from '@lazyllm/contracts';
import { MAX_TOKENS_LIMIT } from '../jobs/dto/generation-options.dto';
import type { JobRequest } from '../jobs/job-request';
import type { ChatMessageParamDto } from './dto/chat-message-param.dto';
import type { CreateChatCompletionDto } from './dto/create-chat-completion.dto';
import type { CreateCompletionDto } from './dto/create-completion.dto';
import type { OpenAiSamplingDto } from './dto/openai-sampling.dto';

/** OpenAI's default for /v1/completions. */
const COMPLETION_MAX_TOKENS = 16;
const SEEDS = 2 ** 32;

/** OpenAI's defaults where a field is missing or null: temperature 1, top_p 1, a random seed; LazyLLM's for the extras. */
function generationOptions(dto: OpenAiSamplingDto, maxTokens: number): GenerationOptions {
  const stop = dto.stop ?? [];
  return {
    maxTokens,
    temperature: dto.temperature ?? 1,
    topK: dto.top_k ?? 0,
    topP: dto.top_p ?? 1,
    seed: dto.seed ?? randomInt(SEEDS),
    stop: typeof stop === 'string' ? [stop] : [...stop],
    schedule: dto.schedule ?? 'default',
    kvPrecision: dto.kv_precision ?? 'f32',
  };
}

/** A completion is raw text: never wrapped in the chat template. */
export function completionJobRequest(dto: CreateCompletionDto): JobRequest {
  const prompt = typeof dto.prompt === 'string' ? dto.prompt : dto.prompt[0];
  return { input: { kind: 'prompt', prompt, chat: false }, options: generationOptions(dto, dto.max_tokens ?? COMPLETION_MAX_TOKENS) };
}

function chatMessage(message: ChatMessageParamDto): ChatMessage {
  const content = typeof message.content === 'string' ? message.content : message.content.map((part) => part.text).join('');
  return { role: message.role === 'developer' ? 'system' : message.role, content };
}

/** Without a limit a chat answer runs to its end of turn, MAX_TOKENS_LIMIT or the end of the context window. */
export function chatJobRequest(dto: CreateChatCompletionDto): JobRequest {
  const maxTokens = dto.max_completion_tokens ?? dto.max_tokens ?? MAX_TOKENS_LIMIT;
  return { input: { kind: 'chat', messages: dto.messages.map(chatMessage) }, options: generationOptions(dto, maxTokens) };
}
