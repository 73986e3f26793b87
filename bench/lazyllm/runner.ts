import { containsGoldAnswer } from '../../libs/datasets/src';
import type { LlamaModel, Tokenizer } from '../../libs/engine/src';
import { runAnswer } from './answer-run';
import { BenchConfig, NO_DROP } from './configs';
import type { Experiment } from './plan';
import type { QaPrompt } from './qa-prompts';
import type { ResultCache } from './result-cache';

export interface RunContext {
  readonly model: LlamaModel;
  readonly tokenizer: Tokenizer;
  readonly cache: ResultCache;
  readonly session: string;
  readonly threads: number;
  /** The k-th question of the run (an index into the NQ-open records). */
  readonly questionAt: (k: number) => number;
  readonly prompt: (questionIndex: number, documents: number) => QaPrompt;
  /** Stop starting new questions after this time (ms since the epoch). */
  readonly deadline: number;
  readonly log: (line: string) => void;
}

/** Work for the k-th question: per document count, the configurations of every experiment that covers it. */
function workAt(k: number, plan: readonly Experiment[]): Map<number, BenchConfig[]> {
  const byDocs = new Map<number, BenchConfig[]>();
  for (const e of plan) {
    if (k >= e.questions) continue;
    const list = byDocs.get(e.documents) ?? [];
    for (const c of e.configs) if (!list.some((x) => x.id === c.id)) list.push(c);
    byDocs.set(e.documents, list);
  }
  return byDocs;
}

/**
 * Runs whatever the cache lacks, question by question (so a partial run covers every configuration
 * on its first questions alike). A question's configurations run back to back in an order rotated
 * per question, so load on the shared machine falls on all of them alike; no-drop is re-run for
 * timing whenever anything else runs, because speedups only compare runs of the same session.
 */
export async function runPlan(plan: readonly Experiment[], ctx: RunContext): Promise<{ runs: number; complete: boolean }> {
  const questions = Math.max(...plan.map((e) => e.questions));
  let runs = 0;
  for (let k = 0; k < questions; k++) {
    const questionIndex = ctx.questionAt(k);
    for (const [documents, configs] of workAt(k, plan)) {
      const missing = configs.filter((c) => !ctx.cache.get(questionIndex, documents, c));
      if (missing.length === 0) continue;
      if (Date.now() > ctx.deadline) return { runs, complete: false };
      if (!missing.some((c) => c.id === NO_DROP.id)) missing.push(NO_DROP);
      const order = missing.map((_, i) => missing[(i + k) % missing.length]);
      const prompt = ctx.prompt(questionIndex, documents);
      for (const config of order) {
        const run = await runAnswer(ctx.model, ctx.tokenizer, prompt.tokens, config.schedule);
        const correct = containsGoldAnswer(run.answer, prompt.example.answers);
        ctx.cache.record(questionIndex, documents, config, run, correct, { session: ctx.session, ttftMs: run.ttftMs, ttftCpuMs: run.ttftCpuMs, decodeMs: run.decodeMs, threads: ctx.threads });
        runs++;
        ctx.log(`q${k} (#${questionIndex}) ${documents} docs ${prompt.tokens.length} tok  ${config.id.padEnd(28)} ttft ${(run.ttftMs / 1000).toFixed(1)} s  share ${run.prefillShare.toFixed(2)}  ${correct ? 'correct' : 'wrong  '} ${JSON.stringify(run.answer.slice(0, 60))}`);
      }
    }
  }
  return { runs, complete: true };
}
