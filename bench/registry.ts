/** Every benchmark workload, in the order `npm run bench` runs them. Add new workloads here. */
import type { Workload } from './types.js';
import { workload as statelessChain } from './workloads/stateless-chain.js';
import { workload as statelessChainNumeric } from './workloads/stateless-chain-numeric.js';
import { workload as wordCountMemory } from './workloads/word-count-memory.js';
import { workload as rocksdbCached10k } from './workloads/rocksdb-cached-10k.js';
import { workload as tumblingWindowCount } from './workloads/tumbling-window-count.js';
import { workload as streamTableJoin } from './workloads/stream-table-join.js';
import { workload as rocksdb1mKeys } from './workloads/rocksdb-1m-keys.js';
import { workload as restore1m } from './workloads/restore-1m.js';
import { workload as eosVsAlos } from './workloads/eos-vs-alos.js';
import { workload as memoryBound } from './workloads/memory-bound.js';
import { workload as kafkajsPath } from './workloads/kafkajs-path.js';
import { workload as checkApplicationWordCount } from './workloads/check-application-word-count.js';

export const workloads: readonly Workload[] = [statelessChain, statelessChainNumeric, wordCountMemory, rocksdbCached10k, rocksdb1mKeys, tumblingWindowCount, streamTableJoin, restore1m, memoryBound, eosVsAlos, kafkajsPath, checkApplicationWordCount];
