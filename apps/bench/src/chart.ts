/**
 * The bench's charts as PNG files (see png.ts): grouped bars of every row's ratio to its
 * baseline (Celeriac and the peers), and the soak run's RSS curve. Pure: returns the bytes.
 */
import { PEER_LABELS, type Peer, type ResultRow } from './bench-report.js';
import { Raster, type Rgb } from './png.js';

const INK: Rgb = [30, 30, 30];
const GRID: Rgb = [225, 225, 225];
const SERIES: { key: 'celeriac' | Peer; label: string; color: Rgb }[] = [
  { key: 'celeriac', label: 'Celeriac', color: [46, 125, 50] },
  { key: 'bullmq', label: PEER_LABELS.bullmq, color: [211, 84, 0] },
  { key: 'celery-prefork', label: PEER_LABELS['celery-prefork'], color: [33, 97, 180] },
  { key: 'celery-threads', label: PEER_LABELS['celery-threads'], color: [120, 160, 220] },
];

/** A bar's value on the chart: the ratio to the baseline, or the figure itself for rows in `x`. */
function barValue(row: ResultRow, key: 'celeriac' | Peer): number | null {
  if (key === 'celeriac') return row.unit === 'x' ? row.celeriac : row.ratio;
  const p = row.peers[key];
  if (!p) return null;
  return row.unit === 'x' ? p.value : p.ratio;
}

/** One group of bars per row that has ratios; a line at 1.0 (the baseline) and each row's target. */
export function ratioChart(rows: readonly ResultRow[], title: string): Buffer {
  const shown = rows.filter((r) => barValue(r, 'celeriac') !== null);
  const labelW = 46 * 12;
  const barH = 18;
  const groupH = SERIES.length * barH + 26;
  const top = 70;
  const width = labelW + 680;
  const height = top + shown.length * groupH + 60;
  const img = new Raster(width, height);
  img.text(16, 16, title, INK, 2);
  let lx = 16;
  for (const s of SERIES) {
    img.fillRect(lx, 44, 14, 14, s.color);
    lx += 20 + img.text(lx + 20, 44, s.label, INK, 2) + 12;
  }
  const max = Math.max(2, ...shown.flatMap((r) => SERIES.map((s) => barValue(r, s.key) ?? 0)).filter(Number.isFinite));
  // past 4x the bar is cut (its number still says how far): the ratios near 1 stay readable
  const scaleMax = Math.min(Math.ceil(max), 4);
  const plotX = labelW;
  const plotW = width - labelW - 120;
  const xOf = (v: number) => plotX + (Math.min(v, scaleMax) / scaleMax) * plotW;
  for (let t = 0; t <= scaleMax; t++) {
    img.fillRect(xOf(t), top - 6, 1, shown.length * groupH, t === 1 ? INK : GRID);
    img.text(xOf(t) - 6, top + shown.length * groupH, `${t}`, INK, 2);
  }
  img.text(plotX, top + shown.length * groupH + 22, 'RATIO TO BASELINE (X), OR SCALING FOR 2 VS 1 WORKERS', INK, 2);
  shown.forEach((r, gi) => {
    const gy = top + gi * groupH;
    const lower = r.unit === 'ms' || r.unit === 'MB' || r.unit === 'µs/msg';
    img.text(8, gy + 4, shorten(r.id.toUpperCase() + (lower ? ' (LOWER IS BETTER)' : ''), 44), INK, 2);
    img.text(8, gy + 24, shorten(`VS ${r.baselineLabel ?? (r.unit === 'x' ? '1 WORKER' : '-')}`, 44), [90, 90, 90], 2);
    SERIES.forEach((s, si) => {
      const v = barValue(r, s.key);
      if (v === null || !Number.isFinite(v)) return;
      const y = gy + si * barH;
      img.fillRect(plotX, y, Math.max(1, xOf(v) - plotX), barH - 4, s.color);
      img.text(xOf(v) + 4, y + 1, v > scaleMax ? `${v.toFixed(2)} >` : v.toFixed(2), INK, 2);
    });
    if (r.target && (r.target.kind === 'min-ratio' || r.target.kind === 'max-ratio' || r.target.kind === 'min')) {
      const tx = xOf(r.target.value);
      for (let y = gy - 2; y < gy + SERIES.length * barH; y += 6) img.fillRect(tx - 1, y, 3, 3, [200, 0, 0]);
    }
  });
  return img.toPng();
}

/** RSS (MB) against tasks done, with the band the soak judges flatness by. */
export function rssChart(samples: readonly { tasks: number; rssMb: number }[], band: { low: number; high: number } | null, title: string): Buffer {
  const width = 1000;
  const height = 520;
  const left = 90;
  const top = 60;
  const plotW = width - left - 30;
  const plotH = height - top - 70;
  const img = new Raster(width, height);
  img.text(16, 16, title, INK, 2);
  const maxTasks = Math.max(1, ...samples.map((s) => s.tasks));
  const maxRss = Math.max(1, ...samples.map((s) => s.rssMb), band?.high ?? 0) * 1.1;
  const xOf = (t: number) => left + (t / maxTasks) * plotW;
  const yOf = (mb: number) => top + plotH - (mb / maxRss) * plotH;
  for (let i = 0; i <= 5; i++) {
    const mb = (maxRss / 5) * i;
    img.fillRect(left, yOf(mb), plotW, 1, GRID);
    img.text(8, yOf(mb) - 7, `${mb.toFixed(0)} MB`, INK, 2);
    const t = (maxTasks / 5) * i;
    img.text(xOf(t) - 20, top + plotH + 12, compact(t), INK, 2);
  }
  img.text(left, top + plotH + 40, 'TASKS DONE', INK, 2);
  if (band) {
    img.fillRect(left, yOf(band.high), plotW, 1, [200, 0, 0]);
    img.fillRect(left, yOf(band.low), plotW, 1, [200, 0, 0]);
  }
  for (let i = 1; i < samples.length; i++) {
    img.line(xOf(samples[i - 1]!.tasks), yOf(samples[i - 1]!.rssMb), xOf(samples[i]!.tasks), yOf(samples[i]!.rssMb), [46, 125, 50]);
  }
  return img.toPng();
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}.`;
}

function compact(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1000 ? `${Math.round(n / 1000)}K` : `${Math.round(n)}`;
}
