import type { ConfigFigures } from './summary';

/**
 * Configurations on the accuracy / TTFT-speedup Pareto frontier: no other configuration is at least
 * as fast and as accurate, and strictly better in one of the two.
 */
export function paretoFrontier(figures: readonly ConfigFigures[]): string[] {
  const points = figures.filter((f) => f.ttftSpeedup !== null && f.questions > 0);
  const dominated = (a: ConfigFigures) =>
    points.some((b) => b !== a && b.ttftSpeedup! >= a.ttftSpeedup! && b.accuracy >= a.accuracy && (b.ttftSpeedup! > a.ttftSpeedup! || b.accuracy > a.accuracy));
  return points.filter((p) => !dominated(p)).map((p) => p.configId);
}

/** A LazyLLM schedule against a baseline run at the same compute. */
export interface MatchedComparison {
  readonly lazy: string;
  readonly baseline: string;
  readonly baselineFamily: 'random' | 'static';
  readonly prefillShare: { readonly lazy: number; readonly baseline: number };
  readonly ttftSpeedup: { readonly lazy: number | null; readonly baseline: number | null };
  readonly accuracy: { readonly lazy: number; readonly baseline: number };
  readonly agreement: { readonly lazy: number; readonly baseline: number };
  /** LazyLLM at least as accurate and at least as close to no-drop. */
  readonly lazyAhead: boolean;
}

export function matchedComparisons(figures: readonly ConfigFigures[], matches: readonly { lazy: string; random: string; static: string }[]): MatchedComparison[] {
  const byId = new Map(figures.map((f) => [f.configId, f]));
  return matches.flatMap((m) => {
    const lazy = byId.get(m.lazy);
    return (['random', 'static'] as const).flatMap((family) => {
      const base = byId.get(m[family]);
      if (!lazy || !base || lazy.questions === 0 || base.questions === 0) return [];
      return [
        {
          lazy: lazy.configId,
          baseline: base.configId,
          baselineFamily: family,
          prefillShare: { lazy: lazy.prefillShare, baseline: base.prefillShare },
          ttftSpeedup: { lazy: lazy.ttftSpeedup, baseline: base.ttftSpeedup },
          accuracy: { lazy: lazy.accuracy, baseline: base.accuracy },
          agreement: { lazy: lazy.agreement, baseline: base.agreement },
          lazyAhead: lazy.accuracy >= base.accuracy && lazy.agreement >= base.agreement,
        },
      ];
    });
  });
}
