/** An inline SVG line chart of one gate's values (and baseline): no scripts, no external assets. */
import type { Point } from './series.js';
import { num } from './series.js';

const W = 640;
const H = 220;
const PAD = { l: 56, r: 16, t: 16, b: 32 };
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function svgChart(title: string, pts: Point[]): string {
  const ys = pts.flatMap((p) => (p.baseline !== undefined ? [p.value, p.baseline] : [p.value]));
  let lo = Math.min(...ys, 0);
  let hi = Math.max(...ys);
  if (hi === lo) hi = lo + 1;
  const span = hi - lo;
  lo -= span * 0.05;
  hi += span * 0.05;
  const tMax = Math.max(...pts.map((p) => p.t), 1);
  const x = (t: number): number => PAD.l + ((W - PAD.l - PAD.r) * t) / tMax;
  const y = (v: number): number => H - PAD.b - ((H - PAD.t - PAD.b) * (v - lo)) / (hi - lo);
  const path = (vals: [number, number][]): string =>
    vals.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const ticks = [lo, (lo + hi) / 2, hi];
  const baseline = pts.filter((p) => p.baseline !== undefined);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">`,
    `<rect x="${PAD.l}" y="${PAD.t}" width="${W - PAD.l - PAD.r}" height="${H - PAD.t - PAD.b}" fill="#fafafa" stroke="#ddd"/>`,
    ...ticks.map(
      (v) =>
        `<text x="${PAD.l - 6}" y="${y(v).toFixed(1)}" text-anchor="end" dominant-baseline="middle" font-size="11">${esc(num(v))}</text>`,
    ),
    `<text x="${W - PAD.r}" y="${H - 8}" text-anchor="end" font-size="11">seconds since start (max ${tMax})</text>`,
    baseline.length
      ? `<polyline class="baseline" fill="none" stroke="#999" stroke-dasharray="4 3" points="${path(baseline.map((p) => [p.t, p.baseline!]))}"/>`
      : '',
    `<polyline class="values" fill="none" stroke="#1f6feb" stroke-width="2" points="${path(pts.map((p) => [p.t, p.value]))}"/>`,
    ...pts.map(
      (p) =>
        `<circle class="point ${p.phase.toLowerCase()}" cx="${x(p.t).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="4"><title>#${p.n} +${p.t}s: ${esc(num(p.value))} (${p.phase})</title></circle>`,
    ),
    '</svg>',
  ].join('');
}
