/** A topic of the embedded cluster: its partitions, configs and the round-robin counter for null keys. */
import { defaultPartition } from '../partitioner.js';
import { tpKey } from '../client.js';
import { PartitionLog, type CompactOptions } from './partition-log.js';

const LEGAL_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export function validTopicName(name: string): boolean {
  return LEGAL_NAME.test(name) && name !== '.' && name !== '..';
}

export class Topic {
  readonly partitions: readonly PartitionLog[];
  /** tpKey of each partition, computed once (flush reports offsets under these keys for every record). */
  readonly keys: readonly string[];
  readonly compacted: boolean;
  private roundRobin = 0;

  constructor(
    readonly name: string,
    partitionCount: number,
    readonly config: Readonly<Record<string, string>>,
  ) {
    this.compacted = (config['cleanup.policy'] ?? 'delete').split(',').some((s) => s.trim() === 'compact');
    // compacted topics are cleaned in the background as in Kafka (min.cleanable.dirty.ratio, default 0.5)
    const autoCompaction = this.compacted
      ? { minDirtyRatio: Number(config['min.cleanable.dirty.ratio'] ?? 0.5), minDirtyRecords: Number(config['sluice.min.cleanable.records'] ?? 10_000) }
      : undefined;
    this.partitions = Array.from({ length: partitionCount }, (_, p) => new PartitionLog(name, p, autoCompaction));
    this.keys = this.partitions.map((_, p) => tpKey(name, p));
  }

  get partitionCount(): number {
    return this.partitions.length;
  }

  /** Kafka's default partitioner on the key bytes; null keys go round-robin. */
  partitionFor(key: Buffer | null): number {
    if (key === null) return this.roundRobin++ % this.partitions.length;
    return defaultPartition(key, this.partitions.length);
  }

  compact(options?: CompactOptions): number {
    let removed = 0;
    for (const p of this.partitions) removed += p.compact(options);
    return removed;
  }
}
