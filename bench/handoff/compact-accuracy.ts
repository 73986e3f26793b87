import type { GenerationOptions } from '../../libs/contracts/src';
import { containsGoldAnswer } from '../../libs/datasets/src';
import { argmax, ChatTemplate, Generation, KvPrecision, LlamaModel, resumeGeneration, serializeGeneration, Tokenizer } from '../../libs/engine/src';
import { promptTokens } from '../../libs/prompts/src';
import { generationParams } from '../../apps/shared/generation-params';
import { rankOf, recordSampledLogits, topTwoGap } from './logit-rank';
import type { QaJob } from './qa-jobs';

/** Where the compact answer first leaves the lossless one, and how close the two candidates were. */
export interface Divergence {
  /** Index in the sampled tokens (0 is the first token, sampled before the handoff, so never here). */
  readonly index: number;
  readonly losslessToken: number;
  readonly compactToken: number;
  /** Rank of the compact run's token among the lossless run's logits at that step (1 would be no divergence). */
  readonly compactTokenRankInLossless: number;
  /** Rank of the lossless run's token among the compact run's logits. */
  readonly losslessTokenRankInCompact: number;
  /** Lossless run's top-1 minus top-2 logit at that step. */
  readonly losslessTopTwoGap: number;
}

export interface AnswerComparison {
  readonly questionIndex: number;
  readonly promptTokens: number;
  /** Tokens sampled, a final stop token included: greedy answers of both runs. */
  readonly lossless: readonly number[];
  readonly compact: readonly number[];
  readonly losslessText: string;
  readonly compactText: string;
  /** The lossless handoff continued exactly as the generation that was never handed off. */
  readonly losslessMatchesUninterrupted: boolean;
  readonly identical: boolean;
  readonly divergence?: Divergence;
  readonly losslessGold: boolean;
  readonly compactGold: boolean;
}

export interface CompactAccuracy {
  readonly options: GenerationOptions;
  readonly comparisons: readonly AnswerComparison[];
  /** Questions whose answer ended with the first token: the workers hand nothing off for them. */
  readonly endedAtFirstToken: readonly number[];
}

interface Continuation {
  readonly sampled: number[];
  readonly logits: Float32Array[];
  readonly text: string;
}

/**
 * For each document question: one LazyLLM prefill, then the same state continued three ways to the end
 * of a greedy answer: in process (never handed off), resumed from the lossless state, resumed from the
 * compact one. Answers are compared token by token.
 */
export async function measureCompactAccuracy(
  model: LlamaModel,
  tokenizer: Tokenizer,
  template: ChatTemplate,
  jobs: readonly QaJob[],
  options: GenerationOptions,
  log: (line: string) => void,
): Promise<CompactAccuracy> {
  const comparisons: AnswerComparison[] = [];
  const endedAtFirstToken: number[] = [];
  for (const job of jobs) {
    const prompt = promptTokens(job.input, tokenizer, template);
    const generation = await Generation.start(model, prompt, generationParams(options, tokenizer, model.config.layerCount));
    if (generation.done) {
      endedAtFirstToken.push(job.example.questionIndex);
      continue;
    }
    const handedOff = (kvPrecision: KvPrecision) => resumeGeneration(model, serializeGeneration(generation, { kvPrecision }));
    const [lossless, compact] = [handedOff('f32'), handedOff('f16')];
    const uninterrupted = await continueToEnd(generation, tokenizer);
    const comparison = compare(job, prompt.length, uninterrupted, await continueToEnd(lossless, tokenizer), await continueToEnd(compact, tokenizer));
    comparisons.push(comparison);
    log(`question ${job.example.questionIndex} (${prompt.length} tokens): ${comparison.identical ? 'identical' : `diverges at token ${comparison.divergence?.index}`}`);
  }
  return { options, comparisons, endedAtFirstToken };
}

async function continueToEnd(generation: Generation, tokenizer: Tokenizer): Promise<Continuation> {
  const logits = recordSampledLogits(generation);
  const text = tokenizer.decode(await generation.finish());
  // Greedy: each step's token is its logits' rank-1 token, the stop token that ended the answer included.
  const sampled = [generation.generated[0], ...logits.map((l) => argmax(l))];
  return { sampled, logits, text };
}

function compare(job: QaJob, promptTokens: number, uninterrupted: Continuation, lossless: Continuation, compact: Continuation): AnswerComparison {
  const at = firstDifference(lossless.sampled, compact.sampled);
  let divergence: Divergence | undefined;
  if (at !== undefined) {
    // sampled[i] was drawn from logits[i - 1]: token 0 comes from the prefill, before any recording.
    const [l, c] = [lossless.logits[at - 1], compact.logits[at - 1]];
    const [losslessToken, compactToken] = [lossless.sampled[at], compact.sampled[at]];
    divergence = {
      index: at,
      losslessToken,
      compactToken,
      compactTokenRankInLossless: rankOf(l, compactToken),
      losslessTokenRankInCompact: rankOf(c, losslessToken),
      losslessTopTwoGap: topTwoGap(l),
    };
  }
  return {
    questionIndex: job.example.questionIndex,
    promptTokens,
    lossless: lossless.sampled,
    compact: compact.sampled,
    losslessText: lossless.text,
    compactText: compact.text,
    losslessMatchesUninterrupted: firstDifference(uninterrupted.sampled, lossless.sampled) === undefined,
    identical: at === undefined,
    ...(divergence ? { divergence } : {}),
    losslessGold: containsGoldAnswer(lossless.text, job.example.answers),
    compactGold: containsGoldAnswer(compact.text, job.example.answers),
  };
}

function firstDifference(a: readonly number[], b: readonly number[]): number | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return undefined;
}
