import { formatTable } from '../lib/table';
import { formatGb } from '../lib/units';
import type { BenchPlan } from './plan';
import { EngineSummary, ratio } from './summary';
import { TargetCheck, TARGETS } from './targets';

const MISSING = 'failed';

/** The console table: both engines, ours/llama.cpp, and each target's verdict on the row it applies to. */
export function engineTable(plan: BenchPlan, reference: EngineSummary, ours: EngineSummary, checks: readonly TargetCheck[]): string {
  const check = (id: TargetCheck['id']) => checks.find((c) => c.id === id);
  const row = (label: string, ref: number | null, our: number | null, format: (v: number) => string, target?: [string, TargetCheck | undefined]) => [
    label,
    ref === null ? MISSING : format(ref),
    our === null ? MISSING : format(our),
    formatRatio(ratio(our, ref)),
    target?.[0] ?? '',
    target?.[1] ? (target[1].met ? 'PASS' : 'FAIL') : '',
  ];
  const rows = [...reference.ttftMs.keys()].map((n) =>
    row(`TTFT, ${n}-token prompt (ms)`, reference.ttftMs.get(n) ?? null, ours.ttftMs.get(n) ?? null, formatMs,
      n === TARGETS.ttft.promptTokens ? [`ratio <= ${TARGETS.ttft.maxRatio}`, check('ttft')] : undefined),
  );
  rows.push(
    row(`Decode after ${plan.decodePromptTokens} tokens (tok/s)`, reference.decodeTokensPerSec, ours.decodeTokensPerSec, (v) => v.toFixed(1),
      [`ratio >= ${TARGETS.decode.minRatio}`, check('decode')]),
    row(`Peak RSS, ${plan.peakRssPromptTokens}-token prompt (GB)`, reference.peakRssBytes, ours.peakRssBytes, formatGb,
      [`ours <= ${formatGb(TARGETS.peakRss.maxBytes)} GB`, check('peakRss')]),
  );
  return formatTable(['', 'llama.cpp', 'ours', 'ours/llama.cpp', 'target', 'result'], rows);
}

function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

function formatRatio(r: number | null): string {
  return r === null ? '-' : `${r.toFixed(2)}x`;
}
