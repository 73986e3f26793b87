import type { PruningSchedule } from './pruning-schedule';

/**
 * Pruning layers at fractions of the model's depth, so a named schedule fits any model. Layers that
 * coincide on a shallow model are merged; a model with a single layer cannot prune (layer 0 has no
 * earlier attention to score by).
 */
function atDepths(fractions: readonly number[], percentiles: readonly number[], layerCount: number): PruningSchedule {
  const layers: number[] = [];
  const kept: number[] = [];
  fractions.forEach((fraction, j) => {
    const layer = Math.max(1, Math.round(fraction * layerCount));
    if (layer >= layerCount || layer <= (layers.at(-1) ?? 0)) return;
    layers.push(layer);
    kept.push(percentiles[j]);
  });
  return { layers, percentiles: kept };
}

/**
 * The default LazyLLM schedule, for a prompt computed once: prune 30%, then 50%, then 50% of the tokens
 * still alive at 4/15, 8/15 and 12/15 of the depth, progressively (later layers are less sensitive). On
 * SmolLM2-135M's 30 layers that is layers 8, 16 and 24; bench:lazyllm measures it against milder and
 * more aggressive schedules (bench/results/lazyllm.json).
 */
export function defaultLazySchedule(layerCount: number): PruningSchedule {
  return atDepths([4 / 15, 8 / 15, 12 / 15], [30, 50, 50], layerCount);
}

/**
 * For many questions over the same documents, with the document prefix cache: every layer before the
 * first pruning layer is computed once per document set, so pruning starts later (8/15 of the depth,
 * then 2/3 and 4/5, 50% each time) and a question pays only for what comes after. Layers 16, 20 and 24
 * on SmolLM2-135M (bench:prefix measures it with and without the cache, bench:lazyllm against no-drop).
 */
export function batchLazySchedule(layerCount: number): PruningSchedule {
  return atDepths([8 / 15, 2 / 3, 4 / 5], [50, 50, 50], layerCount);
}
