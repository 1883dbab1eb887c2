/**
 * Benchmark runner: `npm run bench [-- <filter>] [--records N] [--repeat N] [--in-process] [--profile] [--list]`.
 *
 * Each selected workload runs in its own child process (so peak RSS and JIT state are its own): one warm-up
 * pass, then `--repeat` measured passes; the table shows medians. Results also go to bench/last-run.json.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuRate, formatTable, gcShare, median, summarize, type WorkloadReport } from './lib/report.js';
import { workloads } from './registry.js';
import type { Result, Workload } from './types.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    records: { type: 'string' },
    repeat: { type: 'string', default: '3' },
    'in-process': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    json: { type: 'string', default: `${HERE}last-run.json` },
    child: { type: 'string' },
  },
});

const records = opts.records === undefined ? undefined : Number(opts.records.replace(/_/g, ''));
const repeat = Math.max(1, Number(opts.repeat));
if ((records !== undefined && !(records > 0)) || !Number.isInteger(repeat)) {
  console.error('--records and --repeat take positive integers');
  process.exit(2);
}

/** Warm-up pass, then `repeat` measured passes, in this process. */
async function runWorkload(w: Workload): Promise<WorkloadReport> {
  await w.run({ records });
  const passes: Result[] = [];
  for (let i = 0; i < repeat; i++) passes.push(await w.run({ records }));
  const sluice = summarize(passes.map((p) => p.sluice));
  const withBaseline = passes.every((p) => p.baseline !== undefined);
  const baseline = withBaseline ? summarize(passes.map((p) => p.baseline!)) : undefined;
  const mid = passes.find((p) => p.sluice.recordsPerSec === sluice) ?? passes[0]!;
  const medianResult: Result = {
    records: mid.records,
    sluice: { ...mid.sluice, recordsPerSec: sluice },
    baseline: withBaseline ? { ...mid.baseline!, recordsPerSec: baseline! } : undefined,
    notes: mid.notes,
  };
  return {
    name: w.name,
    description: w.description,
    target: w.target,
    records: mid.records,
    sluiceRecordsPerSec: sluice,
    baselineRecordsPerSec: baseline,
    ratio: baseline === undefined ? undefined : baseline / sluice,
    outputRecords: median(passes.map((p) => p.sluice.outputRecords)),
    sluiceRecordsPerCpuSec: cpuRate(passes.map((p) => p.sluice)),
    baselineRecordsPerCpuSec: withBaseline ? cpuRate(passes.map((p) => p.baseline!)) : undefined,
    sluiceGcShare: gcShare(passes.map((p) => p.sluice)),
    baselineGcShare: withBaseline ? gcShare(passes.map((p) => p.baseline!)) : undefined,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    targetMet: w.meetsTarget ? w.meetsTarget(medianResult) : undefined,
    notes: mid.notes ?? [],
    passes,
  };
}

function failed(w: Workload, error: unknown): WorkloadReport {
  return {
    name: w.name,
    description: w.description,
    target: w.target,
    records: 0,
    sluiceRecordsPerSec: 0,
    outputRecords: 0,
    peakRssBytes: 0,
    notes: [],
    passes: [],
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  };
}

/** Runs one workload in a child process (this same script with --child) and returns its report. */
function runIsolated(w: Workload): Promise<WorkloadReport> {
  const args = ['--child', w.name, '--repeat', String(repeat)];
  if (records !== undefined) args.push('--records', String(records));
  const execArgv = [...process.execArgv, '--expose-gc'];
  if (opts.profile) execArgv.push('--cpu-prof', `--cpu-prof-dir=${HERE}.profiles`);
  return new Promise((resolve) => {
    const child = fork(SELF, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let report: WorkloadReport | undefined;
    child.on('message', (m) => (report = m as WorkloadReport));
    child.on('exit', (code, signal) => resolve(report ?? failed(w, new Error(`child exited with ${signal ?? code} before reporting`))));
  });
}

function machine(): Record<string, unknown> {
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    totalMemoryBytes: os.totalmem(),
    loadAverage1m: os.loadavg()[0],
  };
}

async function main(): Promise<void> {
  if (opts.child !== undefined) {
    const w = workloads.find((x) => x.name === opts.child);
    if (!w) throw new Error(`no workload named ${opts.child}`);
    const report = await runWorkload(w).catch((e: unknown) => failed(w, e));
    process.send!(report);
    return;
  }
  const filter = positionals[0];
  const selected = filter === undefined ? workloads : workloads.filter((w) => w.name.includes(filter));
  if (opts.list || selected.length === 0) {
    if (selected.length === 0) console.error(`No workload matches '${filter}'.`);
    for (const w of workloads) console.log(`${w.name.padEnd(24)} ${w.description}${w.target ? `\n${''.padEnd(24)} target: ${w.target}` : ''}`);
    process.exit(selected.length === 0 ? 1 : 0);
  }
  const facts = machine();
  console.log(
    `node ${facts.node}, ${facts.nproc} CPUs (${facts.cpu}), load ${(facts.loadAverage1m as number).toFixed(2)}; warm-up + ${repeat} measured passes per workload, medians shown`,
  );
  const reports: WorkloadReport[] = [];
  for (const w of selected) {
    const report = opts['in-process'] ? await runWorkload(w).catch((e: unknown) => failed(w, e)) : await runIsolated(w);
    reports.push(report);
    if (report.error) console.error(`${w.name} failed:\n${report.error}`);
  }
  console.log(`\n${formatTable(reports)}\n`);
  for (const r of reports) for (const n of r.notes) console.log(`  ${r.name}: ${n}`);
  writeFileSync(
    opts.json!,
    `${JSON.stringify({ date: new Date().toISOString(), command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(), machine: facts, repeat, workloads: reports }, null, 2)}\n`,
  );
  console.log(`\nwrote ${opts.json}`);
  if (reports.some((r) => r.error)) process.exitCode = 1;
}

await main();
