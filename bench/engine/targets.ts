import { formatGb } from '../lib/units';
import { EngineSummary, ratio } from './summary';

/** The engine's acceptance targets against llama.cpp on the same machine and thread count. */
export const TARGETS = {
  ttft: { promptTokens: 2048, maxRatio: 1.5 },
  decode: { minRatio: 0.5 },
  peakRss: { promptTokens: 4096, maxBytes: 1.5e9 },
} as const;

export interface TargetCheck {
  readonly id: 'ttft' | 'decode' | 'peakRss';
  readonly description: string;
  /** The figure the target bounds: ours/llama.cpp for ttft and decode, our bytes for peakRss; null if unmeasured. */
  readonly measured: number | null;
  readonly limit: number;
  /** An unmeasured figure counts as not met. */
  readonly met: boolean;
}

export function checkTargets(reference: EngineSummary, ours: EngineSummary): TargetCheck[] {
  const { ttft, decode, peakRss } = TARGETS;
  const ttftRatio = ratio(ours.ttftMs.get(ttft.promptTokens) ?? null, reference.ttftMs.get(ttft.promptTokens) ?? null);
  const decodeRatio = ratio(ours.decodeTokensPerSec, reference.decodeTokensPerSec);
  return [
    {
      id: 'ttft',
      description: `our TTFT at ${ttft.promptTokens} prompt tokens <= ${ttft.maxRatio}x llama.cpp's`,
      measured: ttftRatio,
      limit: ttft.maxRatio,
      met: ttftRatio !== null && ttftRatio <= ttft.maxRatio,
    },
    {
      id: 'decode',
      description: `our decode tokens/s >= ${decode.minRatio}x llama.cpp's`,
      measured: decodeRatio,
      limit: decode.minRatio,
      met: decodeRatio !== null && decodeRatio >= decode.minRatio,
    },
    {
      id: 'peakRss',
      description: `our peak RSS with a ${peakRss.promptTokens}-token prompt <= ${formatGb(peakRss.maxBytes)} GB`,
      measured: ours.peakRssBytes,
      limit: peakRss.maxBytes,
      met: ours.peakRssBytes !== null && ours.peakRssBytes <= peakRss.maxBytes,
    },
  ];
}
