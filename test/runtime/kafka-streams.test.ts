/**
 * KafkaStreams on the embedded cluster: lifecycle and state changes, interactive-query availability, the uncaught
 * exception handler, and metrics.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  Consumed,
  InvalidStateStoreError,
  Materialized,
  Produced,
  QueryableStoreTypes,
  StreamsBuilder,
  type EmbeddedKafkaCluster,
  type KafkaStreams,
  type ProcessingGuarantee,
  type Processor,
  type ProcessorContext,
  type Record as StreamRecord,
  type StreamThreadExceptionResponse,
  type Topology,
} from '../../src/index.js';
import { Harness, L, S, countSequences, countTopology, finalCounts, keyedRecords, reachedTotals, tempStateDir, trueCounts, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.closeAll());

function recordStates(app: KafkaStreams): string[] {
  const seen: string[] = [];
  app.on('stateChange', (next, prev) => seen.push(`${prev}->${next}`));
  return seen;
}

async function topics(): Promise<EmbeddedKafkaCluster> {
  const cluster = h.cluster();
  await cluster.createTopic('in', { partitions: 4 });
  await cluster.createTopic('out', { partitions: 4 });
  return cluster;
}

/** count topology whose counting is preceded by `fn` (throws to simulate a bug in user code). */
function failingCountTopology(fn: (key: string, value: string) => void, storeType: 'in_memory' | 'rocksdb' = 'rocksdb'): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream<string, string>('in', Consumed.with(S, S))
    .peek((k, v) => fn(k, v))
    .groupByKey()
    .count(Materialized.as<string, number>('counts').withCachingDisabled().withStoreType(storeType))
    .toStream()
    .to('out', Produced.with(S, L));
  return builder.build();
}

describe('KafkaStreams lifecycle', () => {
  it('CREATED -> REBALANCING -> RUNNING; close(): PENDING_SHUTDOWN -> NOT_RUNNING, committing everything', async () => {
    const cluster = await topics();
    const app = h.app(countTopology(), { applicationId: 'life', cluster, stateDir: tempStateDir('life') });
    const states = recordStates(app);
    expect(app.state).toBe('CREATED');
    await app.start();
    await app.waitForState('RUNNING', 10_000);
    expect(states).toEqual(['CREATED->REBALANCING', 'REBALANCING->RUNNING']);
    const records = keyedRecords(2_000, 20, 3);
    await cluster.produce('in', records);
    await waitFor(async () => (await app.metrics()).processedRecords === 2_000, 10_000, 'all processed');
    // at_least_once with the default 30 s commit interval: nothing committed yet, close() commits
    await app.close();
    expect(states.slice(2)).toEqual(['RUNNING->PENDING_SHUTDOWN', 'PENDING_SHUTDOWN->NOT_RUNNING']);
    expect(app.state).toBe('NOT_RUNNING');
    const offsets = cluster.describeGroup('life')!.offsets;
    cluster.endOffsets('in').forEach((end, p) => expect(offsets.get(`in:${p}`)).toBe(end));
    expect(await finalCounts(cluster, 'out', 'read_uncommitted')).toEqual(trueCounts(records));
    expect(cluster.describeGroup('life')!.members).toEqual([]);
    await expect(app.start()).rejects.toThrow(/cannot start in state NOT_RUNNING/);
  });

  for (const global of [false, true]) {
    it(`close() while start() is still ${global ? 'bootstrapping a global table' : 'preparing topics'}: start() resolves, no thread starts, NOT_RUNNING`, async () => {
      const cluster = await topics();
      if (global) {
        await cluster.createTopic('regions', { partitions: 2 });
        await cluster.produce('regions', [{ key: Buffer.from('r'), value: Buffer.from('EU') }]);
      }
      const topology = (): Topology => {
        const b = new StreamsBuilder();
        const stream = b.stream<string, string>('in', Consumed.with(S, S));
        if (!global) stream.to('out', Produced.with(S, S));
        else stream.join(b.globalTable('regions', Consumed.with(S, S), Materialized.as('regions')), (k) => k, (v, r) => `${v}@${r}`).to('out', Produced.with(S, S));
        return b.build();
      };
      const stateDir = tempStateDir('close-in-start');
      const app = h.app(topology(), { applicationId: `close-in-start-${global}`, cluster, stateDir });
      const states = recordStates(app);
      const started = app.start();
      await app.close();
      await started;
      expect(app.state).toBe('NOT_RUNNING');
      expect(states).toEqual(['CREATED->REBALANCING', 'REBALANCING->PENDING_SHUTDOWN', 'PENDING_SHUTDOWN->NOT_RUNNING']);
      expect(app.threads).toEqual([]);
      expect(cluster.describeGroup(`close-in-start-${global}`)?.members ?? new Map()).toEqual(new Map());
      // nothing of it stays open: a new instance opens the same stores
      const next = h.app(topology(), { applicationId: `close-in-start-${global}`, cluster, stateDir });
      await next.start();
      await next.waitForState('RUNNING', 10_000);
    });
  }

  it('a crash while start() is still bootstrapping a global table: start() resolves and starts no thread', async () => {
    const cluster = await topics();
    await cluster.createTopic('regions', { partitions: 2 });
    const b = new StreamsBuilder();
    b.stream<string, string>('in', Consumed.with(S, S))
      .join(b.globalTable('regions', Consumed.with(S, S), Materialized.as('regions')), (k) => k, (v, r) => `${v}@${r}`)
      .to('out', Produced.with(S, S));
    const app = h.app(b.build(), { applicationId: 'crash-in-start', cluster, stateDir: tempStateDir('crash-in-start') });
    const started = app.start();
    await cluster.crash(app);
    await started;
    expect(app.threads).toEqual([]);
  });

  it('a crashed instance with a global table lets go of its global store: an instance on the same state dir opens it', async () => {
    const cluster = await topics();
    await cluster.createTopic('regions', { partitions: 2 });
    await cluster.produce('regions', [{ key: Buffer.from('r'), value: Buffer.from('EU') }]);
    const topology = (): Topology => {
      const b = new StreamsBuilder();
      b.stream<string, string>('in', Consumed.with(S, S))
        .join(b.globalTable('regions', Consumed.with(S, S), Materialized.as('regions')), (k) => k, (v, r) => `${v}@${r}`)
        .to('out', Produced.with(S, S));
      return b.build();
    };
    const stateDir = tempStateDir('crash-global');
    const crashed = h.app(topology(), { applicationId: 'crash-global', cluster, stateDir });
    await crashed.start();
    await crashed.waitForState('RUNNING', 10_000);
    await cluster.crash(crashed);
    const next = h.app(topology(), { applicationId: 'crash-global', cluster, stateDir });
    await next.start();
    await next.waitForState('RUNNING', 10_000);
  });

  it('store() throws InvalidStateStoreError unless RUNNING; serves the local counts while RUNNING', async () => {
    const cluster = await topics();
    const app = h.app(countTopology(), { applicationId: 'iq', cluster, stateDir: tempStateDir('iq'), processingGuarantee: 'exactly_once_v2' });
    const params = { storeName: 'counts', type: QueryableStoreTypes.keyValueStore<string, number>() };
    expect(() => app.store(params)).toThrow(InvalidStateStoreError);
    await app.start();
    if (app.state === 'REBALANCING') expect(() => app.store(params)).toThrow(/REBALANCING, not RUNNING/);
    await app.waitForState('RUNNING');
    expect(() => app.store({ storeName: 'nope', type: QueryableStoreTypes.keyValueStore() })).toThrow(InvalidStateStoreError);
    const records = keyedRecords(1_000, 10, 1);
    await cluster.produce('in', records);
    await waitFor(() => reachedTotals(cluster, trueCounts(records), 'read_committed'), 10_000, 'counts');
    const store = app.store(params);
    for (const [k, n] of trueCounts(records)) expect(await store.get(k)).toBe(n);
    await app.close();
    expect(() => app.store(params)).toThrow(InvalidStateStoreError);
    // a handle obtained while RUNNING fails once the instance is not
    expect(() => store.get('k1')).toThrow(InvalidStateStoreError);
  });

  it('a second instance joining: RUNNING -> REBALANCING -> RUNNING, tasks split 2/2', async () => {
    const cluster = await topics();
    const a = h.app(countTopology(), { applicationId: 'join', cluster, stateDir: tempStateDir('join-a'), processingGuarantee: 'exactly_once_v2' });
    const states = recordStates(a);
    await a.start();
    await a.waitForState('RUNNING');
    expect((await a.metrics()).activeTasks.length).toBe(4);
    const b = h.app(countTopology(), { applicationId: 'join', cluster, stateDir: tempStateDir('join-b'), processingGuarantee: 'exactly_once_v2' });
    await b.start();
    await waitFor(async () => a.state === 'RUNNING' && b.state === 'RUNNING' && (await a.metrics()).activeTasks.length === 2, 10_000, 'rebalanced');
    expect(states).toContain('RUNNING->REBALANCING');
    expect((await b.metrics()).activeTasks.length).toBe(2);
  });
});

describe('uncaught exception handler', () => {
  async function failOnce(guarantee: ProcessingGuarantee, response: StreamThreadExceptionResponse) {
    const cluster = await topics();
    let failures = 0;
    const records = keyedRecords(3_000, 30, 4);
    const poison = 'v1500';
    const app = h.app(
      failingCountTopology((_k, v) => {
        if (v === poison && failures++ === 0) throw new Error('bug in user code');
      }),
      { applicationId: `handler-${response}`, cluster, stateDir: tempStateDir('handler'), processingGuarantee: guarantee, commitIntervalMs: 50 },
    );
    const errors: unknown[] = [];
    app.setUncaughtExceptionHandler((e) => {
      errors.push(e);
      return response;
    });
    const states = recordStates(app);
    await app.start();
    await cluster.produce('in', records);
    return { cluster, app, records, errors, states, failures: () => failures };
  }

  for (const guarantee of ['exactly_once_v2', 'at_least_once'] as const) {
    it(`REPLACE_THREAD (${guarantee}): a new thread takes over and the failed record is processed once`, async () => {
      const { cluster, app, records, errors, failures } = await failOnce(guarantee, 'REPLACE_THREAD');
      const totals = trueCounts(records);
      const isolation = guarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted';
      await waitFor(() => reachedTotals(cluster, totals, isolation), 15_000, 'counts after the replaced thread');
      expect(failures()).toBe(2); // thrown once, then processed by the replacement
      expect(errors).toHaveLength(1);
      expect(String((errors[0] as Error).message)).toMatch(/bug in user code/);
      await app.waitForState('RUNNING');
      expect(app.threads.length).toBe(1);
      if (guarantee === 'exactly_once_v2') {
        // the failed thread's open transaction was aborted: per key exactly 1..total
        const seqs = await countSequences(cluster, 'out', 'read_committed');
        for (const [k, n] of totals) expect(seqs.get(k)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      } else {
        // at-least-once: the failed thread's uncommitted input is processed again, duplicates are allowed
        const finals = await finalCounts(cluster, 'out', 'read_uncommitted');
        let duplicates = 0;
        for (const [k, n] of totals) {
          expect(finals.get(k)).toBeGreaterThanOrEqual(n);
          duplicates += finals.get(k)! - n;
        }
        console.log(`at_least_once REPLACE_THREAD: ${duplicates} duplicate count(s)`);
      }
    });
  }

  it('REPLACE_THREAD with a poison record: replacements back off, timers keep firing, close() completes', async () => {
    const cluster = await topics();
    // in-memory stores: nothing in a replacement's start waits on I/O, so without a backoff it spins on microtasks
    const app = h.app(
      failingCountTopology((_k, v) => {
        if (v === 'v5') throw new Error('poison');
      }, 'in_memory'),
      { applicationId: 'poison', cluster, stateDir: tempStateDir('poison'), commitIntervalMs: 50 },
    );
    let ticks = 0;
    const timer = setInterval(() => void ticks++, 1);
    const ticksAtFailure: number[] = [];
    let thirdFailure!: () => void;
    const third = new Promise<void>((r) => (thirdFailure = r));
    app.setUncaughtExceptionHandler(() => {
      ticksAtFailure.push(ticks);
      if (ticksAtFailure.length === 3) thirdFailure();
      return 'REPLACE_THREAD';
    });
    try {
      await app.start();
      await cluster.produce('in', keyedRecords(10, 2, 1));
      await third;
      // the event loop ran timers between the replacements (a tight loop starves them)
      expect(ticksAtFailure[2]!).toBeGreaterThan(ticksAtFailure[0]!);
      await app.close();
      expect(app.state).toBe('NOT_RUNNING');
      expect(app.threads.every((t) => t.state.is('DEAD'))).toBe(true);
    } finally {
      clearInterval(timer);
    }
  });

  it('SHUTDOWN_CLIENT: RUNNING -> PENDING_ERROR -> ERROR; the failed record stays uncommitted; close() ends NOT_RUNNING', async () => {
    const { cluster, app, records, states } = await failOnce('exactly_once_v2', 'SHUTDOWN_CLIENT');
    await app.waitForState('ERROR', 10_000);
    expect(states.slice(-2)).toEqual(['RUNNING->PENDING_ERROR', 'PENDING_ERROR->ERROR']);
    // nothing lost: the poison record's partition is committed at or before it
    const poison = (await cluster.readAll('in')).find((r) => r.value!.toString() === 'v1500')!;
    const committed = cluster.describeGroup('handler-SHUTDOWN_CLIENT')!.offsets.get(`in:${poison.partition}`) ?? 0;
    expect(committed).toBeLessThanOrEqual(poison.offset);
    expect(records.length).toBe(3_000);
    // the dead thread left the group
    expect(cluster.describeGroup('handler-SHUTDOWN_CLIENT')!.members).toEqual([]);
    await app.close();
    expect(app.state).toBe('NOT_RUNNING');
  });

  it('without a handler the client shuts down in ERROR', async () => {
    const cluster = await topics();
    const app = h.app(
      failingCountTopology(() => {
        throw new Error('always');
      }),
      { applicationId: 'nohandler', cluster, stateDir: tempStateDir('nohandler') },
    );
    await app.start();
    await cluster.produce('in', keyedRecords(10, 2, 1));
    await app.waitForState('ERROR', 10_000);
  });
});

describe('metrics()', () => {
  it('processed, commits, lag per task (buffered records count as lag until processed)', async () => {
    const cluster = await topics();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    class Gated implements Processor<string, string, string, string> {
      #ctx!: ProcessorContext<string, string>;
      init(ctx: ProcessorContext<string, string>): void {
        this.#ctx = ctx;
      }
      async process(record: StreamRecord<string, string>): Promise<void> {
        await gate;
        this.#ctx.forward(record);
      }
    }
    const builder = new StreamsBuilder();
    builder
      .stream<string, string>('in', Consumed.with(S, S))
      .processValues(() => new Gated())
      .groupByKey()
      .count(Materialized.as('counts'))
      .toStream()
      .to('out', Produced.with(S, L));
    const app = h.app(builder.build(), { applicationId: 'metrics', cluster, stateDir: tempStateDir('metrics'), processingGuarantee: 'exactly_once_v2', commitIntervalMs: 50 });
    await app.start();
    await app.waitForState('RUNNING');
    const records = keyedRecords(1_000, 16, 2);
    await cluster.produce('in', records);
    // the thread fetched the records (they sit in the task queues, one is blocked in the processor)
    const buffered = (): number => app.threads[0]!.tasks.runningTasks().reduce((n, t) => n + t.bufferedRecords(), 0);
    let m;
    try {
      await waitFor(() => buffered() >= 990, 10_000, 'records fetched and buffered');
      m = await app.metrics();
      // fetched is not processed: lag counts every record not processed yet
      expect(Object.values(m.lagPerTask).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(999);
      expect(Object.keys(m.lagPerTask).sort()).toEqual(['0_0', '0_1', '0_2', '0_3']);
      expect(m.processedRecords).toBe(0);
    } finally {
      open();
    }
    await waitFor(async () => (await app.metrics()).processedRecords === 1_000, 10_000, 'processed');
    await waitFor(async () => Object.values((await app.metrics()).lagPerTask).every((l) => l === 0), 10_000, 'lag 0');
    await waitFor(() => reachedTotals(cluster, trueCounts(records), 'read_committed'), 10_000, 'committed');
    m = await app.metrics();
    expect(m.state).toBe('RUNNING');
    expect(m.commits).toBeGreaterThan(0);
    expect(m.commitLatencyAvgMs).toBeGreaterThanOrEqual(0);
    expect(m.processRate).toBeGreaterThan(0);
    expect([...m.activeTasks].sort()).toEqual(['0_0', '0_1', '0_2', '0_3']);
    expect(m.standbyTasks).toEqual([]);
    expect(m.skippedRecords).toBe(0);
  });
});
