import { BASELINE_MATCHES, BenchConfig, configOf, defaultConfig, NO_DROP, randomMatching, staticMatching, SWEEP_SCHEDULES } from './configs';

/** One comparison: these configurations on the first `questions` questions of the run's order, at N documents. */
export interface Experiment {
  readonly name: string;
  readonly documents: number;
  readonly questions: number;
  readonly configs: readonly BenchConfig[];
}

export const DOC_COUNTS = [10, 20, 40] as const;
export const SWEEP_DOCUMENTS = 40;
/** Prompt length the static baseline's percentile is matched at: about 40 documents (shares barely move with n). */
export const STATIC_MATCH_TOKENS = 4800;

export interface PlanSize {
  readonly docCountQuestions: number;
  readonly sweepQuestions: number;
}

export const FULL: PlanSize = { docCountQuestions: 150, sweepQuestions: 100 };
export const QUICK: PlanSize = { docCountQuestions: 5, sweepQuestions: 5 };

/** The lazy sweep (with the default in it) and, at matched compute, random and static pruning. */
export interface SweepConfigs {
  readonly lazy: BenchConfig[];
  readonly random: BenchConfig[];
  readonly static: BenchConfig[];
  /** Which baseline runs at the compute of which lazy schedule. */
  readonly matches: { lazy: string; random: string; static: string }[];
}

export function sweepConfigs(layerCount: number): SweepConfigs {
  const lazy = SWEEP_SCHEDULES.map(configOf);
  const byDefault = defaultConfig(layerCount);
  if (!lazy.some((c) => c.id === byDefault.id)) lazy.push(byDefault);
  // The default and its nearest neighbours in the sweep's order of aggressiveness.
  const d = lazy.findIndex((c) => c.id === byDefault.id);
  const from = Math.max(0, Math.min(d - Math.floor(BASELINE_MATCHES / 2), lazy.length - BASELINE_MATCHES));
  const matched = lazy.slice(from, from + BASELINE_MATCHES);
  const random = matched.map((c) => randomMatching(c.schedule));
  const statics = matched.map((c) => staticMatching(c.schedule, STATIC_MATCH_TOKENS, layerCount));
  return { lazy, random, static: statics, matches: matched.map((c, i) => ({ lazy: c.id, random: random[i].id, static: statics[i].id })) };
}

export function experiments(size: PlanSize, layerCount: number): Experiment[] {
  const sweep = sweepConfigs(layerCount);
  return [
    ...DOC_COUNTS.map((documents) => ({ name: `default vs no-drop, ${documents} documents`, documents, questions: size.docCountQuestions, configs: [NO_DROP, defaultConfig(layerCount)] })),
    { name: `sweep and baselines, ${SWEEP_DOCUMENTS} documents`, documents: SWEEP_DOCUMENTS, questions: size.sweepQuestions, configs: [NO_DROP, ...sweep.lazy, ...sweep.random, ...sweep.static] },
  ];
}
