import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnswerRun } from './answer-run';
import type { BenchConfig } from './configs';

/** Everything a result depends on besides the question and the configuration. */
export interface CacheIdentity {
  /** sha256 of the GGUF. */
  readonly model: string;
  readonly promptVersion: string;
  readonly promptMode: string;
  readonly answerProtocol: string;
  readonly seed: number;
}

/** One timed run: TTFTs are compared only between runs of the same session (same process, same minutes). */
export interface TimingSample {
  readonly session: string;
  readonly ttftMs: number;
  /** Absent in results cached before it was recorded. */
  readonly ttftCpuMs?: number;
  readonly decodeMs: number;
  readonly threads: number;
}

/** The deterministic outcome of (question, documents, configuration), plus every timing taken of it. */
export interface CachedResult {
  readonly questionIndex: number;
  readonly documents: number;
  readonly configId: string;
  readonly promptTokens: number;
  readonly answer: string;
  readonly answerTokens: readonly number[];
  readonly correct: boolean;
  readonly prefillShare: number;
  readonly generationShare: number;
  readonly revived: number;
  readonly timings: TimingSample[];
  /**
   * Later runs (for timing) whose answer differed from the stored one. The key holds the model, the
   * prompt and the protocol but not the engine's code, so an engine change that moves the numerics
   * shows up here instead of silently mixing answers.
   */
  readonly differingReruns: number;
}

/**
 * Results on disk, one small JSON file per (identity, question, documents, configuration), so that a
 * long run can stop at any point and a later one resumes or extends it.
 */
export class ResultCache {
  constructor(private readonly dir: string, private readonly identity: CacheIdentity) {
    mkdirSync(dir, { recursive: true });
  }

  get(questionIndex: number, documents: number, config: BenchConfig): CachedResult | undefined {
    const path = this.pathOf(questionIndex, documents, config);
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as CachedResult) : undefined;
  }

  /** Stores a fresh run, or adds the timing of a rerun to the result already stored (whose answer it keeps). */
  record(questionIndex: number, documents: number, config: BenchConfig, run: AnswerRun, correct: boolean, timing: TimingSample): CachedResult {
    const previous = this.get(questionIndex, documents, config);
    const result: CachedResult = previous
      ? { ...previous, timings: [...previous.timings, timing], differingReruns: previous.differingReruns + (previous.answerTokens.join() === run.answerTokens.join() ? 0 : 1) }
      : {
          questionIndex,
          documents,
          configId: config.id,
          promptTokens: run.promptTokens,
          answer: run.answer,
          answerTokens: run.answerTokens,
          correct,
          prefillShare: run.prefillShare,
          generationShare: run.generationShare,
          revived: run.revived,
          timings: [timing],
          differingReruns: 0,
        };
    const path = this.pathOf(questionIndex, documents, config);
    // Write then rename: a run killed mid-write leaves no half file behind.
    writeFileSync(`${path}.tmp`, JSON.stringify(result));
    renameSync(`${path}.tmp`, path);
    return result;
  }

  private pathOf(questionIndex: number, documents: number, config: BenchConfig): string {
    const key = createHash('sha256').update(JSON.stringify({ ...this.identity, questionIndex, documents, config: config.id })).digest('hex').slice(0, 24);
    return join(this.dir, `${documents}docs-q${questionIndex}-${key}.json`);
  }
}
