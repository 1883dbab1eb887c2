import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Consumed,
  EmbeddedKafkaCluster,
  InvalidStateStoreError,
  KafkaStreams,
  Materialized,
  QueryableStoreTypes,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  TimeWindows,
  toArray,
} from '../../src/index.js';

const S = Serdes.String();

describe('interactive queries of window and session stores', () => {
  it('QueryableStoreTypes.windowStore() / sessionStore() read the local tasks\' stores; a wrong type is rejected', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'sluice-iq-window-'));
    const cluster = new EmbeddedKafkaCluster();
    await cluster.createTopic('clicks', { partitions: 2 });
    const builder = new StreamsBuilder();
    const grouped = builder.stream('clicks', Consumed.with(S, S)).groupByKey();
    // retention beyond size + grace keeps closed windows queryable (expiry is exact, not per segment)
    grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(1000)).count(Materialized.as<string, number>('per-second').withRetention(60_000));
    grouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(500)).count(Materialized.as('sessions'));
    const app = new KafkaStreams(builder.build(), { applicationId: 'iq-win', cluster, stateDir, commitIntervalMs: 50 });
    try {
      await app.start();
      await app.waitForState('RUNNING', 10_000);
      await cluster.produce('clicks', [
        { key: Buffer.from('u1'), value: Buffer.from('x'), timestamp: 100 },
        { key: Buffer.from('u1'), value: Buffer.from('x'), timestamp: 300 },
        { key: Buffer.from('u2'), value: Buffer.from('x'), timestamp: 1200 },
      ]);
      const windows = app.store({ storeName: 'per-second', type: QueryableStoreTypes.windowStore<string, number>() });
      const deadline = Date.now() + 10_000;
      while ((await windows.fetch('u1', 0)) !== 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await windows.fetch('u1', 0)).toBe(2);
      expect(await toArray(windows.fetch('u2', 0, 5000))).toEqual([{ key: 1000, value: 1 }]);
      expect((await toArray(windows.fetchAll(0, 5000))).map((e) => [e.key.key, e.key.window.start, e.value]).sort()).toEqual([
        ['u1', 0, 2],
        ['u2', 1000, 1],
      ]);
      const sessions = app.store({ storeName: 'sessions', type: QueryableStoreTypes.sessionStore<string, number>() });
      while ((await sessions.fetchSession('u1', 100, 300)) !== 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await toArray(sessions.fetch('u1'))).toEqual([{ key: { key: 'u1', window: { start: 100, end: 300 } }, value: 2 }]);
      expect(() => toArray(app.store({ storeName: 'sessions', type: QueryableStoreTypes.windowStore() }).fetchAll(0, 1))).toThrow(InvalidStateStoreError);
    } finally {
      await app.close();
      await cluster.close();
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
