/**
 * Count over 1M distinct keys on a RocksDB store (cache 10 MiB holds ~5% of them, so most reads miss the cache and
 * must come from RocksDB): the batch prefetch (task.prefetch -> store.prefetch -> one multiGet per 1000 records)
 * is what makes this work. 2M input records, keys uniform over 1M; commit every 100k records.
 */
import { runCount } from '../lib/count-workload.js';
import type { Result, RunOptions, Workload } from '../types.js';

export const workload: Workload = {
  name: 'rocksdb-1m-keys',
  description: 'count over 1M distinct keys (2M records), RocksDB store, cache 10 MiB (mostly misses), batch prefetch, on a StreamTask',
  target: '>= 100k records/s',
  meetsTarget: (r: Result) => r.sluice.recordsPerSec >= 100_000,
  run: (options: RunOptions = {}) =>
    runCount({ records: options.records ?? 2_000_000, keys: 1_000_000, storeType: 'rocksdb', cacheBytes: 10 * 2 ** 20, commitEvery: 100_000, baseline: true }),
};
