/** The soak's per-seed line and summary. */
import type { SoakResult } from './soak-run.js';

/** "seed 7 exactly_once_v2 FAIL 9.8 s, 3 faults fired; cnt: key ... | dups cnt=0 ..." */
export function formatSoakLine(r: SoakResult, verbose = false): string {
  const rep = r.report;
  const failed = Object.keys(rep.differences).length > 0;
  const dups = Object.entries(rep.duplicates).filter(([, n]) => n > 0);
  const head = `seed ${r.seed} ${r.guarantee} ${failed ? 'FAIL' : 'ok'} ${(rep.durationMs / 1000).toFixed(1)} s, ${rep.inputRecords} records, ${rep.fired.length} fault(s) fired` +
    (dups.length ? `, duplicates ${dups.map(([t, n]) => `${t}=${n}`).join(' ')}` : '');
  const lines = [head];
  if (failed || verbose) lines.push(...rep.schedule.map((s) => `    schedule: ${s}`), ...rep.fired.map((s) => `    fired: ${s}`));
  for (const [topic, d] of Object.entries(rep.differences)) lines.push(`    ${topic}: ${d}`);
  return lines.join('\n');
}

export function summarize(results: readonly SoakResult[]): { text: string; failed: number } {
  const failed = results.filter((r) => Object.keys(r.report.differences).length > 0);
  const byTopic = new Map<string, number>();
  for (const r of failed) for (const t of Object.keys(r.report.differences)) byTopic.set(t, (byTopic.get(t) ?? 0) + 1);
  const duplicates = results.reduce((n, r) => n + Object.values(r.report.duplicates).reduce((a, b) => a + b, 0), 0);
  const ms = results.reduce((n, r) => n + r.report.durationMs, 0);
  const text =
    `soak: ${results.length} run(s), ${failed.length} failed${failed.length ? ` (seeds ${failed.map((r) => `${r.seed}/${r.guarantee}`).join(', ')})` : ''}, ` +
    `${duplicates} duplicate record(s), ${(ms / 1000).toFixed(1)} s in all` +
    (byTopic.size ? `\n  failures by output: ${[...byTopic].map(([t, n]) => `${t} ${n}`).join(', ')}` : '');
  return { text, failed: failed.length };
}
