import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { IllegalStateError } from '../../src/index.js';
import { Harness, countTopology, keyedRecords, reachedTotals, tempStateDir, trueCounts, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.closeAll());

describe('KafkaStreams.cleanUp', () => {
  it('deletes local state so the next start restores every store from its changelog; refused while running', async () => {
    const cluster = h.cluster();
    await cluster.createTopic('in', { partitions: 2 });
    await cluster.createTopic('out', { partitions: 2 });
    const dir = tempStateDir('cleanup');
    const records = keyedRecords(3_000, 300);
    const totals = trueCounts(records);
    const options = { applicationId: 'cleanup', cluster, stateDir: dir, commitIntervalMs: 50 };

    const first = h.app(countTopology(), options);
    await first.start();
    await expect(first.cleanUp()).rejects.toBeInstanceOf(IllegalStateError);
    await cluster.produce('in', records);
    await waitFor(() => reachedTotals(cluster, totals, 'read_uncommitted'), 15_000, 'counts');
    await first.close();

    // same directory, kept: the checkpointed stores need nothing from the changelog
    const kept = h.app(countTopology(), options);
    await kept.start();
    await kept.waitForState('RUNNING');
    expect((await kept.metrics()).restoredRecords).toBe(0);
    await kept.close();

    await kept.cleanUp();
    expect(existsSync(dir)).toBe(false);
    const fresh = h.app(countTopology(), options);
    await fresh.start();
    await fresh.waitForState('RUNNING');
    expect((await fresh.metrics()).restoredRecords).toBeGreaterThanOrEqual(300); // every key's count came back from the changelog
  });
});
