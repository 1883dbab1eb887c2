import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed, EmbeddedKafkaCluster, Materialized, Serdes, StreamsBuilder, type KeyValueStore, type Topology } from '../../src/index.js';
import { resolveConfig } from '../../src/config.js';
import { GlobalStreamThread } from '../../src/runtime/global-stream-thread.js';

const S = Serdes.String();

function globalTopology(): Topology {
  const b = new StreamsBuilder();
  b.globalTable('regions', Consumed.with(S, S), Materialized.as('regions'));
  b.stream('in', Consumed.with(S, S)); // a topology needs a source of its own
  return b.build();
}

describe('GlobalStreamThread', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('a retriable poll failure during the bootstrap is retried, not fatal', async () => {
    const cluster = new EmbeddedKafkaCluster();
    const dir = await mkdtemp(join(tmpdir(), 'sluice-global-thread-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }), () => cluster.close());
    await cluster.createTopic('regions', { partitions: 2 });
    await cluster.produce('regions', [{ key: Buffer.from('paris'), value: Buffer.from('EU') }]);
    const admin = cluster.admin();
    cleanup.push(() => admin.close());
    const thread = new GlobalStreamThread(globalTopology(), resolveConfig({ applicationId: 'global-thread' }), cluster, admin, {}, dir, (e) => {
      throw e;
    });
    cluster.faults.failNextPoll();
    await thread.bootstrap();
    expect(await (thread.state.stores.get('regions') as KeyValueStore<string, string>).get('paris')).toBe('EU');
    await thread.close();
  });

  it('close() during the bootstrap waits for it: the stores end closed, and the next thread opens them', async () => {
    const cluster = new EmbeddedKafkaCluster();
    const dir = await mkdtemp(join(tmpdir(), 'sluice-global-thread-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }), () => cluster.close());
    await cluster.createTopic('regions', { partitions: 2 });
    await cluster.produce('regions', [{ key: Buffer.from('paris'), value: Buffer.from('EU') }]);
    const config = resolveConfig({ applicationId: 'global-thread' });
    const admin = cluster.admin();
    cleanup.push(() => admin.close());
    const thread = (): GlobalStreamThread => new GlobalStreamThread(globalTopology(), config, cluster, admin, {}, dir, (e) => {
      throw e;
    });

    const first = thread();
    const bootstrapped = first.bootstrap();
    // the bootstrap is opening its stores now: a close must not slip in before them
    await first.close();
    await bootstrapped;
    expect([...first.state.stores.values()].map((s) => s.isOpen())).toEqual([false]);

    const second = thread();
    await second.bootstrap();
    expect(await (second.state.stores.get('regions') as KeyValueStore<string, string>).get('paris')).toBe('EU');
    await second.close();
  });
});
