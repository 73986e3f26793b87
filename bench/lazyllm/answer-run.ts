import { Generation, LlamaModel, PruningSchedule, Tokenizer } from '../../libs/engine/src';

/** Answers are short: a name, a date, a few words. Past this many tokens the answer is cut. */
export const MAX_ANSWER_TOKENS = 24;
/**
 * Names the answer protocol below (greedy, the limit, where an answer stops); cached results are keyed
 * on it, so a change here must change it.
 */
export const ANSWER_PROTOCOL = `greedy-max${MAX_ANSWER_TOKENS}-stop-eog-or-newline-after-text-not-lead-in-v2`;

export interface AnswerRun {
  readonly promptTokens: number;
  /** Prefill plus sampling of the first token, from an empty state. */
  readonly ttftMs: number;
  /** CPU time (user + system, all threads) of the same span: less sensitive than wall time to other work on the machine. */
  readonly ttftCpuMs: number;
  readonly decodeMs: number;
  readonly answer: string;
  readonly answerTokens: readonly number[];
  /** (token, layer) pairs computed in the prefill, over prompt tokens x layers. */
  readonly prefillShare: number;
  /** The same over the whole generation: every token of the final state, generated ones included. */
  readonly generationShare: number;
  readonly revived: number;
}

/**
 * One greedy answer: prefill (timed alone, that is the TTFT), then decode until an end-of-generation
 * token, the end of the answer's line (see answerEnd), or the token limit.
 */
export async function runAnswer(model: LlamaModel, tokenizer: Tokenizer, prompt: number[], schedule: PruningSchedule): Promise<AnswerRun> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const g = await Generation.start(model, prompt, { maxTokens: MAX_ANSWER_TOKENS, schedule, stopTokens: tokenizer.endOfGenerationIds });
  const ttftMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const prefillShare = g.state.computedShare;
  const decoder = tokenizer.createStreamDecoder({ skipSpecial: true });
  let text = '';
  let used = 0;
  while (answerEnd(text) === undefined) {
    if (used === g.generated.length) {
      if (g.done) break;
      await g.step();
      continue;
    }
    text += decoder.push(g.generated[used++]);
  }
  const end = answerEnd(text);
  const answer = end === undefined ? text + decoder.flush() : text.slice(0, end);
  return {
    promptTokens: prompt.length,
    ttftMs,
    ttftCpuMs: (cpu.user + cpu.system) / 1000,
    decodeMs: g.timings.decodeMs,
    answer: answer.trim().replace(/\s*\n\s*/g, ' '),
    answerTokens: g.generated.slice(0, used),
    prefillShare,
    generationShare: g.state.computedShare,
    revived: g.revived,
  };
}

/**
 * Where the answer ends: at the first newline after a line with text, unless that line ends with ':'
 * ("The answer is:"), a lead-in this model often puts on a line of its own before the answer.
 */
export function answerEnd(text: string): number | undefined {
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    const line = text.slice(lineStart, i).trim();
    if (line !== '' && !line.endsWith(':')) return i;
    lineStart = i + 1;
  }
  return undefined;
}
