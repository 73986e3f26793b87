import type { TopLevelSpec } from '../lib/vega-lite-types';
import type { ConfigFigures } from './summary';

/** One colour per method, the same in every LazyLLM chart. */
export const FAMILIES = { domain: ['no-drop', 'lazy', 'random', 'static'], range: ['#333333', '#f58518', '#4c78a8', '#54a24b'] };
export const LABELS: Record<ConfigFigures['family'], string> = { 'no-drop': 'no-drop', lazy: 'LazyLLM', random: 'random drop', static: 'static pruning' };

export interface FrontierChartInput {
  readonly figures: readonly ConfigFigures[];
  readonly defaultId: string;
  readonly title: string;
  readonly subtitle: readonly string[];
}

/**
 * The trade-off frontier: accuracy (with its 95% interval) and agreement with no-drop, each against
 * TTFT speedup, one line per method through its configurations.
 */
export function frontierChartSpec(input: FrontierChartInput): TopLevelSpec {
  const rows = input.figures
    .filter((f) => f.ttftSpeedup !== null && f.questions > 0)
    .map((f) => ({
      method: f.family,
      label: f.configId === input.defaultId ? `${f.configId} (default)` : f.configId,
      speedup: f.ttftSpeedup,
      accuracy: 100 * f.accuracy,
      low: 100 * f.accuracyInterval[0],
      high: 100 * f.accuracyInterval[1],
      agreement: 100 * f.agreement,
      computeShare: f.prefillShare,
      isDefault: f.configId === input.defaultId,
    }));
  const color = { field: 'method', type: 'nominal', scale: FAMILIES, legend: { title: null, orient: 'top', labelExpr: `${JSON.stringify(LABELS)}[datum.label]` } } as const;
  const x = { field: 'speedup', type: 'quantitative', title: 'TTFT speedup over no-drop (x, same run)', scale: { zero: false, nice: true } } as const;
  const panel = (field: 'accuracy' | 'agreement', title: string, withInterval: boolean) => ({
    title,
    width: 380,
    height: 300,
    data: { values: rows },
    layer: [
      // Lines join a method's configurations from most to least compute, not by measured speed, which is noisy.
      { mark: { type: 'line' as const, point: { size: 60, filled: true } }, encoding: { x, y: { field, type: 'quantitative' as const, title: `${title} (%)` }, color, order: { field: 'computeShare', type: 'quantitative' as const, sort: 'descending' as const } } },
      ...(withInterval ? [{ mark: { type: 'rule' as const, opacity: 0.35 }, encoding: { x, y: { field: 'low', type: 'quantitative' as const }, y2: { field: 'high' }, color } }] : []),
      {
        transform: [{ filter: 'datum.isDefault' }],
        mark: { type: 'point' as const, shape: 'diamond', size: 220, strokeWidth: 2, color: 'black' },
        encoding: { x, y: { field, type: 'quantitative' as const } },
      },
    ],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: input.title, subtitle: [...input.subtitle, 'Black diamond: the default schedule. Vertical bars: 95% interval of the accuracy.'] },
    config: { font: 'DejaVu Sans', view: { stroke: null } },
    spacing: 40,
    hconcat: [panel('accuracy', 'Accuracy (gold answer in output)', true), panel('agreement', 'Answer agreement with no-drop', false)],
  };
}
