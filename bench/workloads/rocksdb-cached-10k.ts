/**
 * Count over 10k distinct keys on a RocksDB store with the record cache on (10 MiB), committing every 100k records
 * like a stream thread (bench/lib/count-workload.ts). Records = input records.
 */
import { runCount } from '../lib/count-workload.js';
import type { Result, RunOptions, Workload } from '../types.js';

export const workload: Workload = {
  name: 'rocksdb-cached-10k',
  description: 'count over 10k keys, RocksDB store (os.tmpdir()), cache 10 MiB, commit every 100k records, on a StreamTask',
  target: '>= 500k records/s',
  meetsTarget: (r: Result) => r.sluice.recordsPerSec >= 500_000,
  run: (options: RunOptions = {}) =>
    runCount({ records: options.records ?? 1_000_000, keys: 10_000, storeType: 'rocksdb', cacheBytes: 10 * 2 ** 20, commitEvery: 100_000, baseline: true }),
};
