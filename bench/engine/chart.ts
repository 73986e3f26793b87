import type { TopLevelSpec } from '../lib/vega-lite-types';
import type { EngineSummary } from './summary';

const ENGINES = { reference: 'llama.cpp', ours: 'ours' } as const;
const COLORS = { domain: [ENGINES.reference, ENGINES.ours], range: ['#4c78a8', '#f58518'] };

export interface EngineChartInput {
  readonly reference: EngineSummary;
  readonly ours: EngineSummary;
  readonly decodePromptTokens: number;
  readonly decodeSteps: number;
  readonly title: string;
  readonly subtitle: string;
}

/** Names the points a failed measurement left out, so that a short line is not mistaken for a complete one. */
function missingNote(named: readonly (readonly [string, EngineSummary])[]): string[] {
  const missing = named.flatMap(([engine, s]) => {
    const lengths = [...s.ttftMs].filter(([, ms]) => ms === null).map(([n]) => n);
    return [
      ...(lengths.length > 0 ? [`${engine} TTFT at ${lengths.join(', ')} tokens`] : []),
      ...(s.decodeTokensPerSec === null ? [`${engine} decode`] : []),
    ];
  });
  return missing.length > 0 ? [`Not measured (failed, see engine.json): ${missing.join('; ')}`] : [];
}

/** Two panels: TTFT against prompt length (log-log, so ratios read as constant gaps), and decode tokens/s as bars. */
export function engineChartSpec(input: EngineChartInput): TopLevelSpec {
  const named = [[ENGINES.reference, input.reference], [ENGINES.ours, input.ours]] as const;
  const ttftRows = named.flatMap(([engine, s]) =>
    [...s.ttftMs].flatMap(([promptTokens, ttftMs]) => (ttftMs === null ? [] : [{ engine, promptTokens, ttftMs }])),
  );
  const decodeRows = named.flatMap(([engine, s]) => (s.decodeTokensPerSec === null ? [] : [{ engine, tokensPerSec: s.decodeTokensPerSec }]));
  const lengths = [...input.reference.ttftMs.keys()];
  const color = { field: 'engine', type: 'nominal', scale: COLORS, legend: { title: null, orient: 'top' } } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: input.title, subtitle: [input.subtitle, ...missingNote(named)] },
    config: { font: 'DejaVu Sans', view: { stroke: null } },
    spacing: 40,
    hconcat: [
      {
        title: 'Time to first token',
        width: 380,
        height: 280,
        data: { values: ttftRows },
        mark: { type: 'line', point: { size: 60 } },
        encoding: {
          x: { field: 'promptTokens', type: 'quantitative', title: 'prompt tokens', scale: { type: 'log', base: 2, domain: [Math.min(...lengths) / 1.2, Math.max(...lengths) * 1.2] }, axis: { values: lengths } },
          y: { field: 'ttftMs', type: 'quantitative', title: 'TTFT (ms, log scale)', scale: { type: 'log' } },
          color,
        },
      },
      {
        title: `Decode, ${input.decodeSteps} tokens after a ${input.decodePromptTokens}-token prompt`,
        width: 200,
        height: 280,
        data: { values: decodeRows },
        encoding: {
          x: { field: 'engine', type: 'nominal', title: null, sort: COLORS.domain, axis: { labelAngle: 0 } },
          y: { field: 'tokensPerSec', type: 'quantitative', title: 'tokens/s' },
        },
        layer: [
          { mark: 'bar', encoding: { color } },
          { mark: { type: 'text', dy: -8 }, encoding: { text: { field: 'tokensPerSec', type: 'quantitative', format: '.1f' } } },
        ],
      },
    ],
  };
}
