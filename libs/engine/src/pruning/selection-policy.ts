/**
 * How a pruning layer chooses the tokens that go on. The count dropped is the schedule's in every
 * case; the policies differ in which tokens and in whether later steps choose again.
 *
 * - `lazy` (LazyLLM, the default): drop the candidates the step's last token attended to least at the
 *   layer before (head-averaged attention probabilities), anew at every step, so a later step may
 *   revive a token from the Aux Cache.
 * - `random` (baseline, the paper's "random token drop" at matched compute): drop a uniformly random
 *   choice of the same count, drawn anew at every step from `seed`, the step and the layer, so the
 *   choice needs no state beyond the schedule.
 * - `static` (baseline, the paper's "static token pruning": "prunes input tokens at once based on their
 *   attention score of the first few transformer layers during the prefilling stage"): the schedule's
 *   single pruning layer k decides once, in the prefill, by the same importance as `lazy` (the last
 *   token's attention at layer k-1 after layers 0..k-1 saw every token); later steps never choose again
 *   and never revive, so a dropped prompt token is gone for every layer >= k for the rest of the
 *   generation. With k = 1 this is "drop once, before the model proper": layer 0 is the scoring pass,
 *   and its work is kept rather than recomputed without the dropped tokens, so compute stays matched.
 */
export type SelectionPolicy = { readonly kind: 'lazy' } | { readonly kind: 'random'; readonly seed: number } | { readonly kind: 'static' };

export const LAZY_SELECTION: SelectionPolicy = { kind: 'lazy' };
