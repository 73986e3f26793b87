import { median } from '../lib/stats';
import { formatTable } from '../lib/table';
import type { CompactAccuracy } from './compact-accuracy';
import type { HandoffCost } from './handoff-cost';
import { BurstFigures, jobsPerMinute, ratioInRound } from './pool-throughput';

const MIB = 2 ** 20;
const ms = (x: number) => x.toFixed(0);
const precisionName = (p: string) => (p === 'f32' ? 'lossless' : 'compact');

export function handoffCostTable(costs: readonly HandoffCost[]): string {
  const rows = costs.map((c) => [
    `${c.schedule} schedule, ${precisionName(c.kvPrecision)} (${c.kvPrecision} K/V)`,
    (c.computedShare * 100).toFixed(1),
    (c.bytes / MIB).toFixed(1),
    c.bytesPerPromptToken.toFixed(0),
    ms(c.phaseMs.serialize),
    ms(c.phaseMs.store),
    ms(c.phaseMs.load),
    ms(c.phaseMs.resume),
    ms(c.handoffMs),
    ms(c.ttftMs),
    (c.shareOfTtft * 100).toFixed(1),
  ]);
  return formatTable(['state', 'pairs %', 'MiB', 'bytes/token', 'serialize ms', 'store ms', 'load ms', 'verify+resume ms', 'handoff ms', 'TTFT ms', '% of TTFT, paired'], rows);
}

/** Store and load with the Redis server's persistence on (the handoff runs) and off (timed afterwards). */
export function persistenceTable(costs: readonly HandoffCost[]): string {
  const rows = costs.flatMap((c) =>
    c.withoutPersistence
      ? [[
          `${c.schedule} schedule, ${precisionName(c.kvPrecision)}`,
          (c.bytes / MIB).toFixed(1),
          ms(c.phaseMs.store),
          ms(c.withoutPersistence.storeMs),
          ms(c.phaseMs.load),
          ms(c.withoutPersistence.loadMs),
        ]]
      : [],
  );
  return formatTable(['state', 'MiB', 'store ms, AOF on', 'store ms, AOF off', 'load ms, AOF on', 'load ms, AOF off'], rows);
}

export function compactAccuracyTable(accuracy: CompactAccuracy): string {
  const all = accuracy.comparisons;
  const divergent = all.flatMap((c) => (c.divergence ? [c.divergence] : []));
  const rows = [
    ['answers compared', String(all.length)],
    ['lossless answer = never handed off', `${all.filter((c) => c.losslessMatchesUninterrupted).length} of ${all.length}`],
    ['compact answer = lossless answer', `${all.filter((c) => c.identical).length} of ${all.length}`],
    ['divergent: compact token is lossless rank 2', `${divergent.filter((d) => d.compactTokenRankInLossless === 2).length} of ${divergent.length}`],
    ['divergent: lossless token is compact rank 2', `${divergent.filter((d) => d.losslessTokenRankInCompact === 2).length} of ${divergent.length}`],
    ['divergent: median first divergent token index', divergent.length > 0 ? String(median(divergent.map((d) => d.index))) : '-'],
    ['divergent: median lossless top-2 logit gap', divergent.length > 0 ? median(divergent.map((d) => d.losslessTopTwoGap)).toFixed(3) : '-'],
    ['gold answer in lossless / compact answer', `${all.filter((c) => c.losslessGold).length} / ${all.filter((c) => c.compactGold).length}`],
  ];
  return formatTable(['compact (f16 K/V) handoff vs lossless', 'result'], rows);
}

export function divergenceTable(accuracy: CompactAccuracy): string {
  const rows = accuracy.comparisons.flatMap((c) =>
    c.divergence
      ? [[
          String(c.questionIndex),
          String(c.promptTokens),
          String(c.divergence.index),
          String(c.divergence.compactTokenRankInLossless),
          String(c.divergence.losslessTokenRankInCompact),
          c.divergence.losslessTopTwoGap.toFixed(3),
          c.losslessGold === c.compactGold ? 'same' : c.compactGold ? 'compact only' : 'lossless only',
        ]]
      : [],
  );
  return formatTable(['question', 'prompt tokens', 'first divergent token', 'compact token rank in lossless', 'lossless token rank in compact', 'lossless top-2 gap', 'gold answer'], rows);
}

export function throughputTable(bursts: readonly BurstFigures[]): string {
  const sizes = [...new Set(bursts.map((b) => b.prefillWorkers))].sort((a, b) => a - b);
  const rows = bursts.map((b) => {
    const timing = (name: string) => median(b.jobs.flatMap((j) => (j.timings[name] === undefined ? [] : [j.timings[name]])));
    return [
      `round ${b.round + 1}: ${b.prefillWorkers} prefill + ${b.decodeWorkers} decode`,
      `${b.completed}/${b.jobs.length}`,
      (b.makespanMs / 1000).toFixed(1),
      b.jobsPerMinute.toFixed(2),
      ratioInRound(bursts, b).toFixed(2),
      (timing('prefillMs') / 1000).toFixed(2),
      ms(timing('handoffMs')),
      (timing('decodeMs') / 1000).toFixed(2),
    ];
  });
  const pooled = sizes.map((n) => [`all rounds: ${n} prefill`, '', '', jobsPerMinute(bursts, n).toFixed(2), (jobsPerMinute(bursts, n) / jobsPerMinute(bursts, sizes[0])).toFixed(2), '', '', '']);
  return formatTable(['burst (THREADS=1 per process)', 'completed', 'makespan s', 'jobs/min', 'ratio', 'median prefill s', 'median handoff ms', 'median decode s'], [...rows, ...pooled]);
}
