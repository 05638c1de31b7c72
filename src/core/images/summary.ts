/** The image map as a markdown table (job summary and CLI), failures with their log tails in <details>. */
import type { ImageMap } from './types.js';
import type { BuildFailure } from './unit.js';
import { byCodePoint } from '../compare.js';

const mb = (n: number): string => (n ? `${(n / 1_000_000).toFixed(1)} MB` : '—');
const short = (id: string): string => (id ? id.replace(/^sha256:/, '').slice(0, 12) : '—');

export function imagesTable(images: ImageMap, failures: BuildFailure[] = [], builder = ''): string {
  const rows = Object.values(images)
    .sort((a, b) => byCodePoint(a.service, b.service))
    .map(
      (i) =>
        `| ${i.service} | ${i.status} | \`${i.ref}\` | ${i.digest ? `\`${i.digest.slice(0, 19)}…\`` : short(i.imageId)} | ${mb(i.sizeBytes)} | ${i.seconds}s |`,
    );
  for (const f of failures) rows.push(`| ${f.service} | **failed** | — | — | — | — |`);
  const out = [
    `### Images${builder ? ` (builder: ${builder})` : ''}`,
    '',
    '| service | status | ref | digest / id | size | time |',
    '|---|---|---|---|---|---|',
    ...rows,
  ];
  for (const f of failures) {
    out.push(
      '',
      `<details><summary>${f.message}</summary>`,
      '',
      '```',
      ...f.logTail,
      '```',
      '',
      '</details>',
    );
  }
  return out.join('\n') + '\n';
}
