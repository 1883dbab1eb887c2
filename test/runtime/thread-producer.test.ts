/**
 * A fenced producer (issue 8, finding 7): under exactly_once_v2, when another producer with the thread's
 * transactional id calls initTransactions, the thread's producer is fenced for good. Kafka Streams closes the tasks
 * dirty, creates a new producer and resumes; the read_committed output stays exact.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KafkaStreamsState } from '../../src/index.js';
import { Harness, countSequences, countTopology, keyedRecords, tempStateDir, trueCounts, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.closeAll());

describe('a fenced producer', () => {
  it('exactly_once_v2: the thread replaces its fenced producer and resumes; per key exactly 1..n', async () => {
    const cluster = h.cluster();
    await cluster.createTopic('in', { partitions: 2 });
    await cluster.createTopic('out', { partitions: 2 });
    const records = keyedRecords(4_000, 20, 17);
    let processed = 0;
    const app = h.app(countTopology({ caching: false, onRecord: () => void processed++ }), {
      applicationId: 'fenced',
      cluster,
      stateDir: tempStateDir('fenced'),
      processingGuarantee: 'exactly_once_v2',
      commitIntervalMs: 50,
    });
    const states: KafkaStreamsState[] = [];
    app.on('stateChange', (next) => states.push(next));
    await app.start();
    await cluster.produce('in', records.slice(0, 2_000));
    await waitFor(() => processed >= 1_000, 10_000, 'processing');

    // a producer with the thread's transactional id fences it (and aborts its open transaction)
    const intruder = cluster.producer({ transactionalId: `fenced-${app.processId}-0` });
    await intruder.initTransactions();
    const fencedAt = processed;
    await cluster.produce('in', records.slice(2_000));

    const ends = cluster.endOffsets('in');
    await waitFor(
      () => {
        if (app.state === 'ERROR') throw new Error('the instance went to ERROR');
        const offsets = cluster.describeGroup('fenced')!.offsets;
        return ends.every((end, p) => offsets.get(`in:${p}`) === end);
      },
      20_000,
      'input committed to its end after the fencing',
    );
    expect(processed).toBeGreaterThan(fencedAt);
    expect(states).not.toContain('ERROR');
    expect(h.logs.some((l) => /fenced/i.test(l))).toBe(true);
    const seqs = await countSequences(cluster, 'out', 'read_committed');
    for (const [k, n] of trueCounts(records)) expect(seqs.get(k), `key ${k}`).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    await intruder.close();
  });
});
