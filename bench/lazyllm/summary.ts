import { normalizeAnswer } from '../../libs/datasets/src';
import { mean, median } from '../lib/stats';
import { BenchConfig, NO_DROP } from './configs';
import type { Experiment } from './plan';
import type { CachedResult, ResultCache, TimingSample } from './result-cache';

/** Every figure of one configuration in one experiment. */
export interface ConfigFigures {
  readonly configId: string;
  readonly family: BenchConfig['family'];
  readonly schedule: BenchConfig['schedule'];
  /** Questions answered by both this configuration and no-drop. */
  readonly questions: number;
  readonly correct: number;
  /** Gold answer in the output, share of questions. */
  readonly accuracy: number;
  /** 95% Wilson interval of the accuracy: how far chance alone moves it at this many questions. */
  readonly accuracyInterval: readonly [number, number];
  /** Same normalized answer as no-drop, share of questions. */
  readonly agreement: number;
  /** Same answer tokens as no-drop, share of questions. */
  readonly identicalTokens: number;
  /** Same first answer token as no-drop: the prefill's own output, before decode steps can diverge. */
  readonly firstTokenAgreement: number;
  readonly medianPromptTokens: number;
  /** Questions whose TTFT was timed in the same session as no-drop's (the only pairs compared). */
  readonly timedPairs: number;
  readonly medianTtftMs: number | null;
  readonly noDropMedianTtftMs: number | null;
  /** Median over questions of no-drop TTFT / this TTFT, both from one session. */
  readonly ttftSpeedup: number | null;
  /** Median no-drop TTFT / median TTFT over the same pairs. */
  readonly ttftSpeedupOfMedians: number | null;
  /** As ttftSpeedup with CPU time instead of wall time: what the speedup would be on an idle machine, roughly. */
  readonly ttftCpuSpeedup: number | null;
  /** Mean share of (token, layer) computations done in the prefill, and over the whole generation. */
  readonly prefillShare: number;
  readonly generationShare: number;
  readonly meanRevived: number;
  /** Timing reruns whose answer differed from the stored one (should be 0: see CachedResult). */
  readonly differingReruns: number;
}

export interface ExperimentSummary {
  readonly name: string;
  readonly documents: number;
  readonly questionsPlanned: number;
  readonly configs: ConfigFigures[];
}

/** 95% Wilson score interval for k successes in n trials. */
export function wilson(k: number, n: number): [number, number] {
  if (n === 0) return [0, 1];
  const z = 1.96;
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** The latest session in which both were timed. */
function pairedTimings(a: readonly TimingSample[], b: readonly TimingSample[]): [TimingSample, TimingSample] | undefined {
  for (let i = a.length - 1; i >= 0; i--) {
    const match = [...b].reverse().find((t) => t.session === a[i].session);
    if (match) return [a[i], match];
  }
  return undefined;
}

function configFigures(config: BenchConfig, pairs: readonly [CachedResult, CachedResult][]): ConfigFigures {
  const timed = pairs.flatMap(([r, base]) => {
    const p = pairedTimings(r.timings, base.timings);
    return p ? [{ ttft: p[0].ttftMs, base: p[1].ttftMs, cpu: p[0].ttftCpuMs, baseCpu: p[1].ttftCpuMs }] : [];
  });
  const correct = pairs.filter(([r]) => r.correct).length;
  const n = pairs.length;
  const medianOf = (xs: number[]) => (xs.length === 0 ? null : median(xs));
  const medianTtft = medianOf(timed.map((t) => t.ttft));
  const baseTtft = medianOf(timed.map((t) => t.base));
  return {
    configId: config.id,
    family: config.family,
    schedule: config.schedule,
    questions: n,
    correct,
    accuracy: n === 0 ? NaN : correct / n,
    accuracyInterval: wilson(correct, n),
    agreement: mean(pairs.map(([r, base]) => (normalizeAnswer(r.answer) === normalizeAnswer(base.answer) ? 1 : 0))),
    identicalTokens: mean(pairs.map(([r, base]) => (r.answerTokens.join() === base.answerTokens.join() ? 1 : 0))),
    firstTokenAgreement: mean(pairs.map(([r, base]) => (r.answerTokens[0] === base.answerTokens[0] ? 1 : 0))),
    medianPromptTokens: n === 0 ? NaN : median(pairs.map(([r]) => r.promptTokens)),
    timedPairs: timed.length,
    medianTtftMs: medianTtft,
    noDropMedianTtftMs: baseTtft,
    ttftSpeedup: medianOf(timed.map((t) => t.base / t.ttft)),
    ttftSpeedupOfMedians: medianTtft === null || baseTtft === null ? null : baseTtft / medianTtft,
    ttftCpuSpeedup: medianOf(timed.flatMap((t) => (t.cpu !== undefined && t.baseCpu !== undefined ? [t.baseCpu / t.cpu] : []))),
    prefillShare: mean(pairs.map(([r]) => r.prefillShare)),
    generationShare: mean(pairs.map(([r]) => r.generationShare)),
    meanRevived: mean(pairs.map(([r]) => r.revived)),
    differingReruns: pairs.reduce((n, [r]) => n + r.differingReruns, 0),
  };
}

/** Figures from the cache alone, over the experiment's questions that it holds for the config and no-drop. */
export function summarizeExperiment(e: Experiment, cache: ResultCache, questionAt: (k: number) => number): ExperimentSummary {
  const configs = e.configs.map((config) => {
    const pairs: [CachedResult, CachedResult][] = [];
    for (let k = 0; k < e.questions; k++) {
      const q = questionAt(k);
      const base = cache.get(q, e.documents, NO_DROP);
      const r = cache.get(q, e.documents, config);
      if (base && r) pairs.push([r, base]);
    }
    return configFigures(config, pairs);
  });
  return { name: e.name, documents: e.documents, questionsPlanned: e.questions, configs };
}
