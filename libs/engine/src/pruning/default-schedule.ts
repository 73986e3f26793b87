import type { PruningSchedule } from './pruning-schedule';

/**
 * The default LazyLLM schedule, placed by depth so it fits any model: prune at 4/15, 8/15 and 12/15 of
 * the layers, 30% then 50% then 50% of the tokens still alive, progressively (later layers are less
 * sensitive). On SmolLM2-135M's 30 layers that is layers 8, 16 and 24, chosen from the bench:lazyllm
 * measurements (bench/lazyllm/README.md). Layers that coincide on a shallow model are merged; a model
 * with a single layer cannot prune (layer 0 has no earlier attention to score by).
 */
const DEPTH_FRACTIONS = [4 / 15, 8 / 15, 12 / 15];
const PERCENTILES = [30, 50, 50];

export function defaultLazySchedule(layerCount: number): PruningSchedule {
  const layers: number[] = [];
  const percentiles: number[] = [];
  DEPTH_FRACTIONS.forEach((fraction, j) => {
    const layer = Math.max(1, Math.round(fraction * layerCount));
    if (layer >= layerCount || layer <= (layers.at(-1) ?? 0)) return;
    layers.push(layer);
    percentiles.push(PERCENTILES[j]);
  });
  return { layers, percentiles };
}
