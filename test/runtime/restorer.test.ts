/**
 * Where ChangelogReader starts restoring a store: after its checkpoint only while the changelog still holds every
 * record after it; otherwise (checkpoint at or past the end, or before the log-start offset) the store is wiped and
 * restored from the changelog's start, for active and standby copies alike (Kafka Streams' TaskCorruptedException).
 */
import { describe, expect, it } from 'vitest';
import { tpKey, type Admin, type ConsumedRecord, type Consumer, type GroupMetadata, type TopicPartition, type TopicPartitionOffset } from '../../src/kafka/client.js';
import { ChangelogReader, type ChangelogPartition } from '../../src/runtime/restorer.js';
import type { StoreRestorer } from '../../src/state/state-store.js';

const unused = (): never => {
  throw new Error('not used by ChangelogReader');
};

/** A restore consumer that records its assignment and returns no records. */
class FakeConsumer implements Consumer {
  assigned: TopicPartitionOffset[] = [];
  subscribe = unused;
  async assign(partitions: readonly TopicPartitionOffset[]): Promise<void> {
    this.assigned = [...partitions];
  }
  async poll(): Promise<ConsumedRecord[]> {
    return [];
  }
  seek = unused;
  pause = unused;
  resume = unused;
  commit = unused;
  committed = unused;
  groupMetadata = (): GroupMetadata => unused();
  async close(): Promise<void> {}
}

/** An admin whose changelog partition 0 holds offsets [start, end). */
function admin(start: number, end: number): Admin {
  return {
    createTopics: unused,
    partitionCounts: unused,
    listTopics: unused,
    async listOffsets(partitions: readonly TopicPartition[], which: 'earliest' | 'latest') {
      return new Map(partitions.map((p) => [tpKey(p.topic, p.partition), which === 'earliest' ? start : end]));
    },
    close: async () => {},
  };
}

function restorer(checkpoint: number | undefined): StoreRestorer & { wipes: number } {
  let cp = checkpoint;
  return {
    wipes: 0,
    restore: () => undefined,
    checkpointedOffset: () => cp,
    async wipe() {
      this.wipes++;
      cp = undefined;
    },
    commit: () => undefined,
    abortUncommitted: () => undefined,
  };
}

const part = (r: StoreRestorer, standby = false): ChangelogPartition => ({ taskId: '0_0', store: 'counts', topic: 'app-counts-changelog', partition: 0, restorer: r, standby });

async function startOf(start: number, end: number, checkpoint: number | undefined, standby = false) {
  const consumer = new FakeConsumer();
  const warnings: string[] = [];
  const reader = new ChangelogReader(consumer, admin(start, end), { info() {}, warn: (m) => warnings.push(m), error() {} });
  const r = restorer(checkpoint);
  await reader.add([part(r, standby)]);
  return { wipes: r.wipes, offset: consumer.assigned[0]?.offset, restoring: reader.restoringTasks().has('0_0'), warned: warnings.length, warnings };
}

describe('ChangelogReader: the offset restoration starts at', () => {
  it('after a checkpoint inside the changelog: the tail only, nothing wiped', async () => {
    expect(await startOf(0, 10, 4)).toMatchObject({ wipes: 0, offset: 5, restoring: true, warned: 0 });
  });

  it('a checkpoint at the last record: nothing to restore, nothing wiped', async () => {
    expect(await startOf(0, 10, 9)).toMatchObject({ wipes: 0, restoring: false, warned: 0 });
  });

  it('a checkpoint at or past the changelog end (new cluster, re-created changelog): wiped, restored from the start', async () => {
    for (const cp of [10, 42]) {
      const r = await startOf(0, 10, cp);
      expect(r).toMatchObject({ wipes: 1, offset: 0, restoring: true, warned: 1 });
      expect(r.warnings.join('\n')).toMatch(/checkpoint at offset \d+.*\[0, 10\).*wiping/s);
    }
  });

  it('an empty re-created changelog: wiped, and there is nothing to restore', async () => {
    expect(await startOf(0, 0, 7)).toMatchObject({ wipes: 1, restoring: false, warned: 1 });
  });

  it('records after the checkpoint were deleted (log-start offset past checkpoint + 1): wiped, restored from the log start', async () => {
    expect(await startOf(6, 10, 4)).toMatchObject({ wipes: 1, offset: 6, restoring: true, warned: 1 });
  });

  it('a log start right after the checkpoint is fine: the tail only', async () => {
    expect(await startOf(5, 10, 4)).toMatchObject({ wipes: 0, offset: 5, warned: 0 });
  });

  it('no checkpoint: wiped and restored from the log start, no warning', async () => {
    expect(await startOf(3, 10, undefined)).toMatchObject({ wipes: 1, offset: 3, warned: 0 });
  });

  it('standby copies get the same check', async () => {
    expect(await startOf(0, 10, 12, true)).toMatchObject({ wipes: 1, offset: 0, warned: 1 });
    expect(await startOf(6, 10, 4, true)).toMatchObject({ wipes: 1, offset: 6, warned: 1 });
    expect(await startOf(0, 10, 4, true)).toMatchObject({ wipes: 0, offset: 5, warned: 0 });
  });
});
