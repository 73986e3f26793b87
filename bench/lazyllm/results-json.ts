import type { MachineInfo } from '../lib/machine';
import type { MatchedComparison } from './frontier';
import type { ExperimentSummary } from './summary';
import type { TargetCheck } from './targets';

export interface LazyResultsInput {
  readonly date: Date;
  readonly command: string;
  readonly quick: boolean;
  readonly complete: boolean;
  readonly runsThisSession: number;
  readonly machine: MachineInfo;
  readonly model: { readonly path: string; readonly identity: string; readonly layers: number };
  readonly threads: number;
  readonly protocol: Record<string, unknown>;
  readonly defaultConfig: string;
  readonly docCounts: readonly ExperimentSummary[];
  readonly sweep: ExperimentSummary;
  readonly frontier: readonly string[];
  readonly comparisons: readonly MatchedComparison[];
  readonly targets: readonly TargetCheck[];
}

/** bench/results/lazyllm.json: every figure, per document count and for the sweep, with the protocol and the verdicts. */
export function lazyResultsJson(input: LazyResultsInput): unknown {
  const scores = Object.fromEntries(
    input.docCounts.map((e) => {
      const noDrop = e.configs.find((c) => c.family === 'no-drop');
      return [e.documents, noDrop ? { accuracy: noDrop.accuracy, accuracyInterval: noDrop.accuracyInterval, questions: noDrop.questions } : null];
    }),
  );
  return {
    benchmark: 'lazyllm',
    date: input.date.toISOString(),
    command: input.command,
    quick: input.quick,
    complete: input.complete,
    runsThisSession: input.runsThisSession,
    machine: input.machine,
    model: input.model,
    threads: input.threads,
    protocol: input.protocol,
    defaultSchedule: input.defaultConfig,
    modelAccuracyWithoutPruning: scores,
    documentCounts: Object.fromEntries(input.docCounts.map((e) => [e.documents, e])),
    sweep: { ...input.sweep, frontier: input.frontier, matchedCompute: input.comparisons },
    targets: input.targets,
    allTargetsMet: input.targets.length > 0 && input.targets.every((t) => t.met),
  };
}
