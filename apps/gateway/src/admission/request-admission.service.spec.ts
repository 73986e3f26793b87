import { BadRequestException, HttpException } from '@nestjs/common';
import type { GenerationOptions, JobInput } from '@lazyllm/contracts';
import { ChatTemplate } from '@lazyllm/engine';
import { modelPath } from '../../../shared/engine-settings';
import type { GatewaySettings } from '../settings/gateway-settings';
import { ModelProfile } from './model-profile';
import { PromptTooLongException } from './prompt-too-long.exception';
import { RequestAdmission } from './request-admission.service';

const OPTIONS: GenerationOptions = { maxTokens: 4, temperature: 0, topK: 40, topP: 0.95, seed: 0, stop: [], schedule: 'default', kvPrecision: 'f32' };
const PROMPT_TEXT = 'word '.repeat(100);
const PROMPT: JobInput = { kind: 'prompt', prompt: PROMPT_TEXT, chat: false };

/** The error's JSON body, as the client would get it. */
function responseOf(check: () => unknown): Record<string, unknown> {
  try {
    check();
  } catch (err) {
    if (err instanceof HttpException) return { status: err.getStatus(), ...(err.getResponse() as object) };
    throw err;
  }
  throw new Error('the request was admitted');
}

describe('RequestAdmission', () => {
  const real = ModelProfile.read(modelPath());
  /** The real tokenizer with other geometry or no chat template, to reach each limit cheaply. */
  const variant = (config: Partial<ModelProfile['config']>, template = real.template) => new ModelProfile(real.path, { ...real.config, ...config }, real.tokenizer, template);
  const promptLength = real.tokenizer.encode(PROMPT_TEXT).length;
  const settings = (maxPromptTokens?: number): GatewaySettings => ({ port: 3000, host: undefined, modelPath: real.path, maxPromptTokens, maxBodyBytes: 1024, apiKeys: [] });

  it('limits prompts to the context window less one token when MAX_PROMPT_TOKENS is unset, else to the smaller of both', () => {
    expect(new RequestAdmission(real, settings()).promptLimit).toBe(real.config.contextLength - 1);
    expect(new RequestAdmission(real, settings(50)).promptLimit).toBe(50);
    expect(new RequestAdmission(real, settings(10 ** 6)).promptLimit).toBe(real.config.contextLength - 1);
  });

  it('returns the prompt token count, or 422 with it when the context window is too small', () => {
    expect(new RequestAdmission(real, settings()).check({ input: PROMPT, options: OPTIONS })).toBe(promptLength);
    const small = new RequestAdmission(variant({ contextLength: 64 }), settings());
    expect(() => small.check({ input: PROMPT, options: OPTIONS })).toThrow(PromptTooLongException);
    expect(responseOf(() => small.check({ input: PROMPT, options: OPTIONS }, 'items[3]: '))).toMatchObject({
      status: 422,
      promptTokens: promptLength,
      limit: 63,
      message: `items[3]: prompt has ${promptLength} tokens; the limit is 63`,
    });
  });

  it("fits the default schedule to the model's depth, and checks a given schedule's layers against it", () => {
    const shallow = new RequestAdmission(variant({ layerCount: 12 }), settings());
    expect(shallow.check({ input: PROMPT, options: OPTIONS })).toBe(promptLength);
    expect(shallow.check({ input: PROMPT, options: { ...OPTIONS, schedule: 'none' } })).toBe(promptLength);
    expect(shallow.check({ input: PROMPT, options: { ...OPTIONS, schedule: { layers: [11], percentiles: [50] } } })).toBe(promptLength);
    expect(responseOf(() => shallow.check({ input: PROMPT, options: { ...OPTIONS, schedule: { layers: [8, 16], percentiles: [30, 50] } } }))).toMatchObject({
      status: 400,
      message: ['schedule: invalid pruning schedule: layer 16 is outside 1..11 (the model has 12 layers)'],
    });
  });

  it('refuses chat requests to a model without a chat template, but not document questions', () => {
    const plain = new RequestAdmission(variant({}, new ChatTemplate(real.path, undefined)), settings());
    expect(plain.chatByDefault).toBe(false);
    expect(() => plain.check({ input: { kind: 'chat', messages: [{ role: 'user', content: 'Hi' }] }, options: OPTIONS })).toThrow(BadRequestException);
    expect(responseOf(() => plain.check({ input: { kind: 'prompt', prompt: 'Hi', chat: true }, options: OPTIONS }))).toMatchObject({
      status: 400,
      message: ['chat needs a chat template, and this model has none'],
    });
    expect(plain.check({ input: { kind: 'document-qa', documents: [{ text: 'Paris is in France.' }], question: 'Where is Paris?' }, options: OPTIONS })).toBeGreaterThan(10);
  });
});
