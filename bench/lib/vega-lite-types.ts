/**
 * vega-lite publishes its types only through package.json "exports", which the project's
 * moduleResolution ("node") ignores; its build folder is reachable directly. Runtime loading still
 * goes through the package name (the "exports" entry Node resolves).
 */
export type { TopLevelSpec } from 'vega-lite/build/index';

type VegaLite = typeof import('vega-lite/build/index');

/** The package name in a variable keeps TypeScript from resolving it (and failing, see above). */
const VEGA_LITE: string = 'vega-lite';

export async function importVegaLite(): Promise<VegaLite> {
  return (await import(VEGA_LITE)) as VegaLite;
}
