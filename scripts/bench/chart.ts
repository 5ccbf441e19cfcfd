// The chart as a hand-written SVG (no plotting dependency): one small panel per workload,
// each with its own scale, because throughputs differ by two orders of magnitude between
// `{ __typename }` and a 50-issue board. Top row: saturated req/s; bottom: p99 at the fixed rate.
import type { SummaryRow } from './summary';

const COLORS: Record<string, string> = { b0: '#7f8c8d', peer: '#2e86c1', us: '#d35400', us2: '#f5b041' };
const W = 170;
const H = 190;
const PAD = { top: 34, bottom: 26, left: 8, right: 8 };

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const short = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)}k` : v >= 100 ? v.toFixed(0) : v.toFixed(1));

function panel(x: number, y: number, title: string, bars: { system: string; value: number | null; flag?: boolean; mark?: string }[]): string {
  const max = Math.max(1e-9, ...bars.map((b) => b.value ?? 0));
  const plotH = H - PAD.top - PAD.bottom;
  const barW = (W - PAD.left - PAD.right) / Math.max(bars.length, 1);
  const parts = [`<text x="${x + W / 2}" y="${y + 16}" text-anchor="middle" font-size="12" font-weight="bold">${esc(title)}</text>`];
  bars.forEach((bar, i) => {
    const bx = x + PAD.left + i * barW + 4;
    const h = bar.value === null ? 0 : (bar.value / max) * plotH;
    const by = y + PAD.top + plotH - h;
    parts.push(`<rect x="${bx}" y="${by}" width="${barW - 8}" height="${h}" fill="${COLORS[bar.system] ?? '#999'}"/>`);
    const label = bar.value === null ? 'n/a' : short(bar.value) + (bar.flag ? (bar.mark ?? '*') : '');
    parts.push(`<text x="${bx + (barW - 8) / 2}" y="${by - 3}" text-anchor="middle" font-size="10">${label}</text>`);
    parts.push(`<text x="${bx + (barW - 8) / 2}" y="${y + H - 10}" text-anchor="middle" font-size="9">${esc(bar.system)}</text>`);
  });
  parts.push(`<line x1="${x + PAD.left}" y1="${y + H - PAD.bottom}" x2="${x + W - PAD.right}" y2="${y + H - PAD.bottom}" stroke="#444"/>`);
  return parts.join('\n');
}

export function renderChart(rows: readonly SummaryRow[], workloads: readonly string[], systems: readonly { id: string; label: string }[], note: string): string {
  const width = workloads.length * W + 20;
  // The note wraps at "; " boundaries so it stays inside the chart.
  const noteLines = note.split('; ').reduce<string[]>((lines, part) => {
    const last = lines.at(-1);
    if (last !== undefined && last.length + part.length < 150) lines[lines.length - 1] = `${last}; ${part}`;
    else lines.push(part);
    return lines;
  }, []);
  const height = 2 * H + 100 + 14 * noteLines.length;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">Saturated throughput (req/s, higher is better; * = spread over 10%)</text>`,
    `<text x="10" y="${H + 44}" font-size="14" font-weight="bold">p99 latency at 50% of B0's max rate (ms, lower is better; ! = could not sustain that rate)</text>`,
  ];
  workloads.forEach((workload, i) => {
    const cells = systems.map((s) => rows.find((r) => r.workload === workload && r.system === s.id));
    const present = systems.filter((_, k) => cells[k]);
    const x = 10 + i * W;
    out.push(panel(x, 24, `${workload} req/s`, present.map((s) => { const r = rows.find((c) => c.workload === workload && c.system === s.id)!; return { system: s.id, value: r.rps, flag: r.noisy }; })));
    out.push(
      panel(x, H + 48, `${workload} p99 ms`, present.map((s) => {
        const r = rows.find((c) => c.workload === workload && c.system === s.id)!;
        // "!" marks a system that could not sustain the offered rate: its p99 is not "at 50% load".
        const behind = r.achievedRate !== null && r.fixedRate !== null && r.achievedRate < 0.95 * r.fixedRate;
        return { system: s.id, value: r.p99Ms, flag: behind, mark: '!' };
      })),
    );
  });
  const legendY = 2 * H + 70;
  systems.forEach((s, i) => {
    out.push(`<rect x="${10 + i * 200}" y="${legendY}" width="12" height="12" fill="${COLORS[s.id] ?? '#999'}"/>`);
    out.push(`<text x="${28 + i * 200}" y="${legendY + 11}" font-size="11">${esc(`${s.id}: ${s.label}`)}</text>`);
  });
  noteLines.forEach((line, i) => out.push(`<text x="10" y="${legendY + 32 + 14 * i}" font-size="10" fill="#555">${esc(line)}</text>`));
  out.push('</svg>');
  return out.join('\n') + '\n';
}
