/**
 * The seeded fault soak (issue 8): the smoke application on three instances under a seeded fault schedule, every
 * output checked per key with read_committed.
 *
 *   npm run soak -- --seed 7 --seconds 10                 one seed
 *   npm run soak -- --seeds 1..20 --guarantee at_least_once
 *   options: --seconds S (input sized for about S s of processing, default 10), --guarantee exactly_once_v2 |
 *            at_least_once | both (default exactly_once_v2), --no-faults, --faults crash,restart,wipeState,joinLeave,
 *            retriable,fence,rebalanceDuringRestore,slowRestore (only these kinds; default all), --verbose (schedule and fired events)
 *
 * Prints one line per seed and a summary; exits 1 if any seed failed.
 */
import { parseArgs } from 'node:util';
import type { FaultOptions, ProcessingGuarantee } from '../src/index.js';
import { formatSoakLine, summarize } from './soak/soak-report.js';
import { soakOnce, type SoakResult } from './soak/soak-run.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    seeds: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    guarantee: { type: 'string', default: 'exactly_once_v2' },
    'no-faults': { type: 'boolean', default: false },
    faults: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

function seedRange(): number[] {
  if (values.seed !== undefined) return [Number(values.seed)];
  const m = /^(\d+)\.\.(\d+)$/.exec(values.seeds ?? '1..1');
  if (!m) throw new Error(`--seeds takes A..B (e.g. 1..20), got '${values.seeds}'`);
  const [a, b] = [Number(m[1]), Number(m[2])];
  return Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => a + i);
}

const KINDS = ['crash', 'restart', 'wipeState', 'joinLeave', 'retriable', 'fence', 'rebalanceDuringRestore', 'slowRestore'] as const;

function faultOptions(): boolean | FaultOptions {
  if (values['no-faults']) return false;
  if (values.faults === undefined) return true;
  const kinds = values.faults.split(',');
  const unknown = kinds.filter((k) => !(KINDS as readonly string[]).includes(k));
  if (unknown.length) throw new Error(`--faults: unknown kind(s) ${unknown.join(', ')}; known: ${KINDS.join(', ')}`);
  return Object.fromEntries(kinds.map((k) => [k, true]));
}

const faults = faultOptions();
const guarantees: ProcessingGuarantee[] = values.guarantee === 'both' ? ['exactly_once_v2', 'at_least_once'] : [values.guarantee as ProcessingGuarantee];
const results: SoakResult[] = [];
for (const guarantee of guarantees) {
  for (const seed of seedRange()) {
    const r = await soakOnce({ seed, seconds: Number(values.seconds), guarantee, faults });
    results.push(r);
    console.log(formatSoakLine(r, values.verbose));
  }
}
const summary = summarize(results);
console.log(summary.text);
process.exitCode = summary.failed > 0 ? 1 : 0;
