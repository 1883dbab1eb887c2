import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Consumed,
  EmbeddedKafkaCluster,
  KafkaStreams,
  Materialized,
  Produced,
  Serdes,
  StreamsBuilder,
  type KafkaStreamsOptions,
  type Topology,
} from '../../src/index.js';

export const S = Serdes.String();
export const L = Serdes.Long();

/** Polls `cond` every few ms until it holds; rejects with `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition', intervalMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const started = Date.now();
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`waitFor: ${what} not reached within ${timeoutMs} ms`);
    // an expensive check (reading a whole topic) must not starve the instances under test
    await new Promise((r) => setTimeout(r, Math.max(intervalMs, 2 * (Date.now() - started))));
  }
}

/** Temp directories made by a test, removed by `cleanupDirs` in afterEach. */
const dirs: string[] = [];
export function tempStateDir(label = 'state'): string {
  const d = mkdtempSync(join(tmpdir(), `sluice-rt-${label}-`));
  dirs.push(d);
  return d;
}
export function cleanupDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface CountTopologyOptions {
  readonly caching?: boolean;
  readonly storeType?: 'in_memory' | 'rocksdb';
  /** Called for every record the instance processes (before counting): tests crash the instance from here. */
  readonly onRecord?: () => void;
}

/** in (String, String) -> groupByKey -> count(Materialized.as('counts')) -> toStream -> out (String, Long). */
export function countTopology(opts: CountTopologyOptions = {}): Topology {
  const builder = new StreamsBuilder();
  let m = Materialized.as<string, number>('counts');
  if (opts.caching === false) m = m.withCachingDisabled();
  if (opts.storeType) m = m.withStoreType(opts.storeType);
  let stream = builder.stream<string, string>('in', Consumed.with(S, S));
  if (opts.onRecord) {
    const cb = opts.onRecord;
    stream = stream.peek(() => cb());
  }
  stream
    .groupByKey()
    .count(m)
    .toStream()
    .to('out', Produced.with(S, L));
  return builder.build();
}

/** Tracks apps and clusters of a test so afterEach can close what is left. */
export class Harness {
  readonly apps: KafkaStreams[] = [];
  readonly clusters: EmbeddedKafkaCluster[] = [];
  readonly crashed = new Set<KafkaStreams>();

  cluster(): EmbeddedKafkaCluster {
    const c = new EmbeddedKafkaCluster();
    this.clusters.push(c);
    return c;
  }

  /** Log lines of the apps made here (kept out of the test output; DEBUG_RT=1 prints them). */
  readonly logs: string[] = [];

  app(topology: Topology, options: KafkaStreamsOptions): KafkaStreams {
    const log = (level: string) => (m: string) => {
      this.logs.push(`${level} ${m}`);
      if (process.env.DEBUG_RT) console.log(`[${level}] ${m}`);
    };
    const a = new KafkaStreams(topology, { logger: { info: log('info'), warn: log('warn'), error: log('error') }, ...options });
    this.apps.push(a);
    return a;
  }

  async crash(cluster: EmbeddedKafkaCluster, app: KafkaStreams): Promise<void> {
    this.crashed.add(app);
    await cluster.crash(app);
  }

  async closeAll(): Promise<void> {
    for (const a of this.apps.splice(0)) {
      if (this.crashed.has(a)) continue;
      await a.close().catch(() => undefined);
    }
    this.crashed.clear();
    this.logs.length = 0;
    for (const c of this.clusters.splice(0)) await c.close().catch(() => undefined);
    cleanupDirs();
  }
}

/** `n` records over `keys` keys, key of record i = `k${i % keys}` shuffled deterministically by `seed`. */
export function keyedRecords(n: number, keys: number, seed = 1): { key: Buffer; value: Buffer; timestamp: number }[] {
  let x = seed >>> 0 || 1;
  const rnd = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const base = 1_700_000_000_000;
  return Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`k${rnd() % keys}`), value: Buffer.from(`v${i}`), timestamp: base + i }));
}

/** The true count per key of records made by keyedRecords. */
export function trueCounts(records: readonly { key: Buffer }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of records) m.set(r.key.toString(), (m.get(r.key.toString()) ?? 0) + 1);
  return m;
}

/** Per key, the sequence of counts in the output topic (offset order per partition; one key lives in one partition). */
export async function countSequences(cluster: EmbeddedKafkaCluster, topic: string, isolationLevel: 'read_committed' | 'read_uncommitted'): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const r of await cluster.readAll(topic, { isolationLevel })) {
    const k = r.key!.toString();
    let s = out.get(k);
    if (!s) out.set(k, (s = []));
    s.push(L.deserialize(topic, r.value) as number);
  }
  return out;
}

/** Last count per key in the output topic. */
export async function finalCounts(cluster: EmbeddedKafkaCluster, topic: string, isolationLevel: 'read_committed' | 'read_uncommitted'): Promise<Map<string, number>> {
  const seqs = await countSequences(cluster, topic, isolationLevel);
  return new Map([...seqs].map(([k, s]) => [k, s[s.length - 1]!]));
}

/** True when every key's last output count is at least its true total. */
export async function reachedTotals(cluster: EmbeddedKafkaCluster, totals: ReadonlyMap<string, number>, isolationLevel: 'read_committed' | 'read_uncommitted'): Promise<boolean> {
  const finals = await finalCounts(cluster, 'out', isolationLevel);
  for (const [k, n] of totals) if ((finals.get(k) ?? 0) < n) return false;
  return true;
}
