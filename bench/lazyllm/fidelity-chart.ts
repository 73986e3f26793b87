import type { TopLevelSpec } from '../lib/vega-lite-types';
import type { BenchConfig } from './configs';
import { FAMILIES, LABELS } from './chart';
import type { MeanInterval } from './divergence';

export interface FidelityPoint {
  readonly configId: string;
  readonly family: BenchConfig['family'];
  /** Measured by bench:lazyllm. */
  readonly ttftSpeedup: number;
  readonly prefillShare: number;
  readonly firstTokenKl: MeanInterval;
  readonly meanKl: MeanInterval;
  readonly top1Agreement: MeanInterval;
}

/**
 * Fidelity against speed: KL to no-drop at the first answer token (the prefill's output) and over the
 * answer, and same greedy token, each against TTFT speedup, one line per method, 95% intervals as
 * bars. The KL axes are symmetric-log: linear near 0 (no-drop, the intervals' lower ends),
 * logarithmic over the two orders of magnitude up to random drop.
 */
export function fidelityChartSpec(points: readonly FidelityPoint[], defaultId: string, title: string, subtitle: readonly string[]): TopLevelSpec {
  const rows = points.map((p) => ({
    method: p.family,
    speedup: p.ttftSpeedup,
    computeShare: p.prefillShare,
    first: p.firstTokenKl.mean,
    firstLow: p.firstTokenKl.interval[0],
    firstHigh: p.firstTokenKl.interval[1],
    kl: p.meanKl.mean,
    klLow: p.meanKl.interval[0],
    klHigh: p.meanKl.interval[1],
    same: 100 * p.top1Agreement.mean,
    sameLow: 100 * p.top1Agreement.interval[0],
    sameHigh: 100 * p.top1Agreement.interval[1],
    isDefault: p.configId === defaultId,
  }));
  const color = { field: 'method', type: 'nominal', scale: FAMILIES, legend: { title: null, orient: 'top', labelExpr: `${JSON.stringify(LABELS)}[datum.label]` } } as const;
  const x = { field: 'speedup', type: 'quantitative', title: 'TTFT speedup over no-drop (x, bench:lazyllm)', scale: { zero: false, nice: true } } as const;
  const panel = (field: 'first' | 'kl' | 'same', axisTitle: string, symlog: boolean) => {
    const y = { field, type: 'quantitative' as const, title: axisTitle, ...(symlog ? { scale: { type: 'symlog' as const, constant: 0.01 }, axis: { values: [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5], format: '~g' } } : {}) };
    return {
      width: 320,
      height: 300,
      data: { values: rows },
      layer: [
        // Lines join a method's configurations from most to least compute, not by measured speed, which is noisy.
        { mark: { type: 'line' as const, point: { size: 60, filled: true } }, encoding: { x, y, color, order: { field: 'computeShare', type: 'quantitative' as const, sort: 'descending' as const } } },
        { mark: { type: 'rule' as const, opacity: 0.35 }, encoding: { x, y: { ...y, field: `${field}Low` }, y2: { field: `${field}High` }, color } },
        { transform: [{ filter: 'datum.isDefault' }], mark: { type: 'point' as const, shape: 'diamond', size: 220, strokeWidth: 2, color: 'black' }, encoding: { x, y } },
      ],
    };
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: [...subtitle, 'Black diamond: the default schedule. Vertical bars: 95% interval of the mean over questions.'] },
    config: { font: 'DejaVu Sans', view: { stroke: null } },
    spacing: 40,
    hconcat: [
      panel('first', 'KL(no-drop || method) at the first token, nats', true),
      panel('kl', 'KL(no-drop || method) over the answer, nats', true),
      panel('same', 'Same greedy token as no-drop (%)', false),
    ],
  };
}
