import type { MatchedComparison } from './frontier';
import type { ConfigFigures } from './summary';

/** The issue's figures to reach with the default schedule at about 4k tokens. */
export const TARGETS = { minTtftSpeedup: 2, maxAccuracyLossPoints: 1.5 } as const;

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function checkTargets(defaultAt40: ConfigFigures | undefined, noDropAt40: ConfigFigures | undefined, comparisons: readonly MatchedComparison[], frontier: readonly string[], baselineIds: readonly string[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  if (defaultAt40 && noDropAt40) {
    const speedup = defaultAt40.ttftSpeedup;
    checks.push({
      target: `default schedule TTFT >= ${TARGETS.minTtftSpeedup}x faster than no-drop (40 documents, same run)`,
      measured: speedup === null ? 'not timed' : `${speedup.toFixed(2)}x over ${defaultAt40.timedPairs} questions`,
      met: speedup !== null && speedup >= TARGETS.minTtftSpeedup,
    });
    const loss = 100 * (noDropAt40.accuracy - defaultAt40.accuracy);
    checks.push({
      target: `default schedule accuracy within ${TARGETS.maxAccuracyLossPoints} points of no-drop (40 documents)`,
      measured: `${pct(defaultAt40.accuracy)} vs ${pct(noDropAt40.accuracy)} (${loss > 0 ? `${loss.toFixed(1)} points lower` : loss < 0 ? `${(-loss).toFixed(1)} points higher` : 'equal'}, ${defaultAt40.questions} questions)`,
      met: loss <= TARGETS.maxAccuracyLossPoints,
    });
  }
  if (comparisons.length > 0) {
    const behind = comparisons.filter((c) => !c.lazyAhead).map((c) => `${c.lazy} vs ${c.baseline}`);
    checks.push({
      target: 'LazyLLM at least as accurate and as close to no-drop as random and static pruning at matched compute',
      measured: behind.length === 0 ? `ahead in all ${comparisons.length} comparisons` : `behind in ${behind.join('; ')}`,
      met: behind.length === 0,
    });
    const baselinesOnFrontier = frontier.filter((id) => baselineIds.includes(id));
    checks.push({
      target: 'no baseline on the accuracy / TTFT-speedup frontier (40 documents)',
      measured: baselinesOnFrontier.length === 0 ? `frontier: ${frontier.join(', ')}` : `baselines on it: ${baselinesOnFrontier.join(', ')}`,
      met: baselinesOnFrontier.length === 0,
    });
  }
  return checks;
}
