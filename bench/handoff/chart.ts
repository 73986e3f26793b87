import type { TopLevelSpec } from '../lib/vega-lite-types';
import { HANDOFF_PHASES, HandoffCost } from './handoff-cost';
import { BurstFigures, jobsPerMinute } from './pool-throughput';

type ConcatSpec = Extract<TopLevelSpec, { hconcat: unknown }>;

export interface HandoffChartInput {
  readonly costs: readonly HandoffCost[];
  readonly bursts: readonly BurstFigures[];
  /** The target, as a share of TTFT. */
  readonly targetShare: number;
  readonly title: string;
  readonly subtitle: string;
}

/** Left: each phase's share of TTFT, stacked, with the target as a rule. Right: jobs/min per prefill pool size. */
export function handoffChartSpec(input: HandoffChartInput): TopLevelSpec {
  const state = (c: HandoffCost) => `${c.schedule}, ${c.kvPrecision === 'f32' ? 'lossless' : 'compact'}`;
  const phaseRows = input.costs.flatMap((c) => HANDOFF_PHASES.map((phase, order) => ({ state: state(c), phase, order, percent: (100 * c.phaseMs[phase]) / c.ttftMs })));
  const sizes = [...new Set(input.bursts.map((b) => b.prefillWorkers))];
  const burstRows = sizes.map((n) => ({ pool: `${n} prefill`, jobsPerMinute: jobsPerMinute(input.bursts, n) }));
  const panels: ConcatSpec['hconcat'] = [];
  if (phaseRows.length > 0) {
    panels.push({
      title: `Handoff at ${input.costs[0].promptTokens} prompt tokens, % of TTFT`,
      width: 320,
      height: 22 * input.costs.length,
      layer: [
        {
          data: { values: phaseRows },
          mark: 'bar',
          encoding: {
            y: { field: 'state', type: 'nominal', title: null, sort: input.costs.map(state) },
            x: { field: 'percent', type: 'quantitative', stack: 'zero', title: 'phase medians, % of median TTFT' },
            color: { field: 'phase', type: 'nominal', sort: [...HANDOFF_PHASES], legend: { title: null, orient: 'bottom' } },
            order: { field: 'order', type: 'ordinal' },
          },
        },
        { data: { values: [{ percent: 100 * input.targetShare }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#c00' }, encoding: { x: { field: 'percent', type: 'quantitative' } } },
      ],
    });
  }
  if (burstRows.length > 0) {
    panels.push({
      title: `Bursts of ${input.bursts[0].jobs.length} document-QA jobs, pooled`,
      width: 160,
      height: 22 * Math.max(4, input.costs.length),
      data: { values: burstRows },
      encoding: {
        x: { field: 'pool', type: 'nominal', title: `workers, + ${input.bursts[0].decodeWorkers} decode`, axis: { labelAngle: 0 } },
        y: { field: 'jobsPerMinute', type: 'quantitative', title: 'jobs/min' },
      },
      layer: [{ mark: 'bar' }, { mark: { type: 'text', dy: -8 }, encoding: { text: { field: 'jobsPerMinute', type: 'quantitative', format: '.2f' } } }],
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: input.title, subtitle: input.subtitle },
    config: { font: 'DejaVu Sans', view: { stroke: null } },
    spacing: 40,
    hconcat: panels,
  };
}
