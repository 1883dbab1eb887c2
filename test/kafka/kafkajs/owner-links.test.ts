import { describe, expect, it } from 'vitest';
import type { GroupMetadata, TopicPartitionOffset } from '../../../src/kafka/client.js';
import { TaskMigratedError } from '../../../src/errors.js';
import { OwnerLinks } from '../../../src/kafka/kafkajs/owner-links.js';
import type { LinkedConsumer } from '../../../src/kafka/kafkajs/owner-links.js';

/** A stream thread's group consumer: member `memberId`, owning `owned` partitions of topic t. */
function fakeConsumer(memberId: string, owned: number[]) {
  const hooks: (() => void)[] = [];
  const c = {
    distrusted: 0,
    wasMember: (g: GroupMetadata) => g.groupId === 'app' && g.memberId === memberId,
    assertCommittable: async (offsets: readonly TopicPartitionOffset[]) => {
      if (offsets.some((o) => !owned.includes(o.partition))) throw new TaskMigratedError('moved');
    },
    distrustPositions: () => void c.distrusted++,
    onClose: (hook: () => void) => void hooks.push(hook),
    close: () => hooks.forEach((h) => h()),
  };
  return c satisfies LinkedConsumer & { close(): void };
}

const group = (memberId: string): GroupMetadata => ({ groupId: 'app', generationId: 1, memberId });
const offsets = (...partitions: number[]): TopicPartitionOffset[] => partitions.map((partition) => ({ topic: 't', partition, offset: 1 }));

describe('OwnerLinks: a transactional producer checks with its own thread\'s consumer only', () => {
  it('offsets are checked against the consumer that is the given member, not the other threads of the owner', async () => {
    const links = new OwnerLinks();
    const owner = {};
    const thread0 = fakeConsumer('m0', [0, 1]);
    const thread1 = fakeConsumer('m1', [2, 3]);
    links.addConsumer(owner, thread0);
    links.addConsumer(owner, thread1);
    await expect(links.assertCommittable(owner, group('m0'), offsets(0, 1))).resolves.toBeUndefined();
    await expect(links.assertCommittable(owner, group('m1'), offsets(2, 3))).resolves.toBeUndefined();
    await expect(links.assertCommittable(owner, group('m0'), offsets(2))).rejects.toBeInstanceOf(TaskMigratedError);
    // Another owner's consumers are never asked.
    await expect(links.assertCommittable({}, group('m0'), offsets(2))).resolves.toBeUndefined();
  });

  it('an abort distrusts the positions of the member it sent offsets for, or of every consumer of the owner before any', () => {
    const links = new OwnerLinks();
    const owner = {};
    const thread0 = fakeConsumer('m0', [0]);
    const thread1 = fakeConsumer('m1', [1]);
    links.addConsumer(owner, thread0);
    links.addConsumer(owner, thread1);
    links.aborted(owner, group('m1'));
    expect([thread0.distrusted, thread1.distrusted]).toEqual([0, 1]);
    links.aborted(owner, undefined);
    expect([thread0.distrusted, thread1.distrusted]).toEqual([1, 2]);
  });

  it('a closed consumer is no longer linked', async () => {
    const links = new OwnerLinks();
    const owner = {};
    const thread0 = fakeConsumer('m0', []);
    links.addConsumer(owner, thread0);
    thread0.close();
    await expect(links.assertCommittable(owner, group('m0'), offsets(5))).resolves.toBeUndefined();
    links.aborted(owner, undefined);
    expect(thread0.distrusted).toBe(0);
  });
});
