import { formatTable } from '../lib/table';
import type { ConfigFigures, ExperimentSummary } from './summary';
import type { TargetCheck } from './targets';

const pct = (x: number) => (Number.isNaN(x) ? '-' : `${(100 * x).toFixed(1)}%`);
const seconds = (ms: number | null) => (ms === null ? '-' : (ms / 1000).toFixed(2));
const times = (x: number | null) => (x === null ? '-' : `${x.toFixed(2)}x`);

function row(f: ConfigFigures, defaultId: string, frontier: readonly string[]): string[] {
  const name = `${f.configId}${f.configId === defaultId ? ' (default)' : ''}${frontier.includes(f.configId) ? ' *' : ''}`;
  return [
    name,
    String(f.questions),
    Number.isNaN(f.medianPromptTokens) ? '-' : String(Math.round(f.medianPromptTokens)),
    `${pct(f.accuracy)} [${pct(f.accuracyInterval[0])}, ${pct(f.accuracyInterval[1])}]`,
    pct(f.agreement),
    pct(f.firstTokenAgreement),
    seconds(f.medianTtftMs),
    times(f.ttftSpeedup),
    times(f.ttftCpuSpeedup),
    pct(f.prefillShare),
    pct(f.generationShare),
  ];
}

const HEADER = ['configuration', 'n', 'prompt tok', 'accuracy [95% CI]', 'agree', '1st tok', 'TTFT s', 'speedup', 'CPU speedup', 'prefill share', 'gen. share'];

export function experimentTable(e: ExperimentSummary, defaultId: string, frontier: readonly string[] = []): string {
  return formatTable(HEADER, e.configs.map((f) => row(f, defaultId, frontier)));
}

export function targetsTable(checks: readonly TargetCheck[]): string {
  return formatTable(['target', 'measured', 'met'], checks.map((c) => [c.target, c.measured, c.met ? 'yes' : 'NO']));
}
