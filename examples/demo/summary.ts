/**
 * The demo's final summary and consistency check: totals and throughput, the top results from interactive
 * queries, the output topics read with read_committed, and a comparison of both with a recomputation from the
 * input topics.
 */
import { Serdes, type KafkaClient, type ProcessingGuarantee, type StreamsMetrics } from '../../src/index.js';
import type { Generator } from './generator.js';
import { readTopic, type DecodedRecord } from './read-topic.js';
import { diffCounts, recompute, TOPICS } from './topology.js';

export interface RunFacts {
  readonly generator: Generator;
  readonly metrics: StreamsMetrics;
  readonly guarantee: ProcessingGuarantee;
  readonly produceSeconds: number;
  readonly processSeconds: number;
  /** Contents of the stores, read through interactive queries before closing. */
  readonly storePages: ReadonlyMap<string, number>;
  readonly storeRegions: ReadonlyMap<string, number>;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Latest value per key, in the topic's order (one key lives in one partition). */
function latest(records: readonly DecodedRecord<number>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of records) if (r.key !== null && r.value !== null) out.set(r.key, r.value);
  return out;
}

/** Keys whose count went down or repeated: a count must only rise (a duplicate or lost update would show). */
function nonIncreasing(records: readonly DecodedRecord<number>[]): string[] {
  const last = new Map<string, number>();
  const bad = new Set<string>();
  for (const r of records) {
    if (r.key === null || r.value === null) continue;
    const prev = last.get(r.key);
    if (prev !== undefined && r.value <= prev) bad.add(r.key);
    last.set(r.key, r.value);
  }
  return [...bad];
}

function top(map: ReadonlyMap<string, number>, n: number): string[] {
  return [...map]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([k, v]) => `${k.padEnd(16)} ${fmt(v).padStart(9)}`);
}

export async function checkAndReport(client: KafkaClient, f: RunFacts): Promise<boolean> {
  const str = Serdes.String();
  const long = Serdes.Long();
  const asString = (b: Buffer | null): string | null => str.deserialize('', b);
  const asLong = (b: Buffer | null): number | null => long.deserialize('', b);
  const [pageViews, users, pageCounts, regionCounts] = await Promise.all([
    readTopic(client, TOPICS.pageViews, asString),
    readTopic(client, TOPICS.users, asString),
    readTopic(client, TOPICS.pageViewCounts, asLong, 'read_committed'),
    readTopic(client, TOPICS.regionUserCounts, asLong, 'read_committed'),
  ]);
  const expected = recompute(pageViews, users);
  const outPages = latest(pageCounts);
  const outRegions = latest(regionCounts);

  const g = f.generator;
  const m = f.metrics;
  console.log('\nSummary');
  console.log(`  produced    ${fmt(g.pageViews)} page views + ${fmt(g.userUpdates)} user updates in ${f.produceSeconds.toFixed(1)} s`);
  console.log(
    `  processed   ${fmt(m.processedRecords)} records (inputs and repartition topics) in ${f.processSeconds.toFixed(1)} s: ` +
      `${fmt(m.processedRecords / Math.max(0.001, f.processSeconds))} records/s, ${m.processLatencyAvgMs.toFixed(3)} ms avg per record`,
  );
  console.log(`  commits     ${fmt(m.commits)} (${m.commitLatencyAvgMs.toFixed(1)} ms avg), ${f.guarantee}, tasks ${m.activeTasks.join(' ')}`);
  console.log(`  skipped     ${fmt(m.skippedRecords)} records`);
  console.log(`  top pages (interactive query on 'views-per-page'):`);
  for (const line of top(f.storePages, 5)) console.log(`      ${line}`);
  console.log(`  users per region (interactive query on 'users-per-region'):`);
  for (const line of top(f.storeRegions, 10)) console.log(`      ${line}`);
  console.log(
    `  output      '${TOPICS.pageViewCounts}': ${fmt(pageCounts.length)} updates for ${fmt(outPages.size)} pages; ` +
      `'${TOPICS.regionUserCounts}': ${fmt(regionCounts.length)} updates for ${fmt(outRegions.size)} regions (read_committed)`,
  );

  const problems = [
    ...diffCounts('output page-view-counts', expected.viewsPerPage, outPages),
    ...diffCounts('output region-user-counts', expected.usersPerRegion, outRegions),
    ...diffCounts('store views-per-page', expected.viewsPerPage, f.storePages),
    ...diffCounts('store users-per-region', expected.usersPerRegion, f.storeRegions),
    ...nonIncreasing(pageCounts).map((k) => `output page-view-counts['${k}']: a count did not rise`),
  ];
  const totalViews = [...expected.viewsPerPage.values()].reduce((a, b) => a + b, 0);
  if (problems.length === 0) {
    console.log(
      `  consistency: OK: output topics and stores equal a recomputation from the input topics ` +
        `(${fmt(totalViews)} views on ${fmt(expected.viewsPerPage.size)} pages, ${fmt(expected.usersPerRegion.size)} regions; page counts only rise)`,
    );
    return true;
  }
  console.log(`  consistency: FAILED: ${problems.length} difference(s) from a recomputation from the input topics:`);
  for (const p of problems.slice(0, 20)) console.log(`      ${p}`);
  return false;
}
