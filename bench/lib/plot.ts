import { writeFileSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import { importVegaLite, TopLevelSpec } from './vega-lite-types';

/** Pixel density of the PNG relative to the spec's CSS pixels: 2x keeps text crisp when zoomed. */
const PNG_SCALE = 2;

/** Renders a Vega-Lite spec to a PNG file (Vega-Lite -> Vega -> SVG -> resvg), headless, no canvas needed. */
export async function renderVegaLitePng(spec: TopLevelSpec, pngPath: string): Promise<void> {
  // vega and vega-lite are ESM-only (vega-canvas uses top-level await), so they cannot be require()d from CommonJS.
  const [vega, vegaLite] = await Promise.all([import('vega'), importVegaLite()]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: PNG_SCALE },
    background: 'white',
    font: { loadSystemFonts: true },
  }).render().asPng();
  writeFileSync(pngPath, png);
}
