/**
 * Tasks across rebalances (issue 8, finding 1, and the eager protocol's revocation window). A task kept while it
 * restores: records that arrive while the task restores must be processed exactly once, whatever the consumer's
 * position does on the rejoin; the restore consumer of the instance under test is held back (its polls return
 * nothing) so that the task is still restoring when the second instance joins. A restoration that completes after
 * the consumer gave its partitions up and before the group hands out the next assignment (a slow member delays it)
 * must leave the partitions alone until then.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedKafkaCluster, Serdes, Stores, Topology, type KafkaStreams, type ProcessingGuarantee, type StoreBuilder } from '../../src/index.js';
import type { ConsumerOptions } from '../../src/kafka/client.js';
import { Harness, countTopology, finalCounts, tempStateDir, waitFor } from './helpers.js';

/**
 * An embedded cluster that holds polls of chosen owners: the restore consumer of `heldOwner` returns nothing while
 * `held`; the main consumer of a parked owner does not poll at all until `unpark()` (its member neither rejoins nor
 * heartbeats: a slow instance the group waits for, up to its session timeout).
 */
class HeldPollsCluster extends EmbeddedKafkaCluster {
  held = false;
  heldOwner: object | undefined;
  mainPolls = 0;
  /** A poll of the parked owner's main consumer is waiting for `unpark()`. */
  parked = false;
  #parking: { owner: object; gate: Promise<void>; open: () => void } | undefined;

  override consumer(options: ConsumerOptions = {}, owner?: object): ReturnType<EmbeddedKafkaCluster['consumer']> {
    const c = super.consumer(options, owner);
    if (owner === undefined) return c;
    const poll = c.poll.bind(c);
    const restore = options.clientId?.endsWith('-restore-consumer') ?? false;
    c.poll = async (maxWaitMs: number) => {
      const parking = this.#parking;
      if (!restore && parking?.owner === owner) {
        this.parked = true;
        await parking.gate;
      }
      if (owner !== this.heldOwner) return poll(maxWaitMs);
      if (restore && this.held) {
        await new Promise((r) => setTimeout(r, Math.max(1, maxWaitMs)));
        return [];
      }
      if (!restore) this.mainPolls++;
      return poll(maxWaitMs);
    };
    return c;
  }

  /** The next poll of `owner`'s main consumer waits until `unpark()`. */
  park(owner: object): void {
    let open = (): void => undefined;
    const gate = new Promise<void>((r) => (open = r));
    this.#parking = { owner, gate, open };
  }

  unpark(): void {
    this.#parking?.open();
    this.#parking = undefined;
    this.parked = false;
  }
}

const h = new Harness();
afterEach(() => h.closeAll());

const KEYS = 10;

/** `n` records for each of the KEYS keys k0..k9, interleaved. */
function perKey(n: number): { key: Buffer; value: Buffer }[] {
  return Array.from({ length: n * KEYS }, (_, i) => ({ key: Buffer.from(`k${i % KEYS}`), value: Buffer.from(`v${i}`) }));
}

async function restoringTaskKeptAcrossRebalance(guarantee: ProcessingGuarantee): Promise<Map<string, number>> {
  const cluster = new HeldPollsCluster();
  h.clusters.push(cluster);
  await cluster.createTopic('in', { partitions: 1 });
  await cluster.createTopic('out', { partitions: 1 });
  const options = { applicationId: 'kept', cluster, processingGuarantee: guarantee, commitIntervalMs: 50, sessionTimeoutMs: 2_000 } as const;
  const topology = () => countTopology({ caching: false, storeType: 'in_memory' });
  const isolation = guarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted';

  // one record per key, processed and committed; the changelog now holds the counts
  const first = h.app(topology(), { ...options, stateDir: tempStateDir('kept-a') });
  await first.start();
  await cluster.produce('in', perKey(1));
  await waitFor(async () => (await finalCounts(cluster, 'out', isolation)).size === KEYS, 10_000, 'first counts');
  await first.close();

  // a new instance (in-memory store: it restores from the changelog) whose restoration is held
  const a: KafkaStreams = h.app(topology(), { ...options, stateDir: tempStateDir('kept-b') });
  cluster.heldOwner = a;
  cluster.held = true;
  await a.start();
  await waitFor(() => a.threads[0]?.tasks.active.get('0_0')?.state === 'RESTORING', 10_000, 'task restoring');
  await cluster.produce('in', perKey(300));
  // the main consumer polls while the task restores (a restoring task's input is fetched, or paused)
  const polled = cluster.mainPolls;
  await waitFor(() => cluster.mainPolls >= polled + 5, 10_000, 'main consumer polls during restoration');

  // a second instance joins: a rebalance that keeps the (still restoring) task on the first instance
  const b = h.app(topology(), { ...options, stateDir: tempStateDir('kept-c') });
  const generation = cluster.describeGroup('kept')!.generationId;
  await b.start();
  await waitFor(() => {
    const g = cluster.describeGroup('kept')!;
    return g.state === 'Stable' && g.generationId > generation && g.members.length === 2;
  }, 10_000, 'rebalance with two members');
  const afterRebalance = cluster.mainPolls;
  await waitFor(() => cluster.mainPolls >= afterRebalance + 2, 10_000, 'first instance polled after the rebalance');
  expect(a.threads[0]!.tasks.active.get('0_0')?.state).toBe('RESTORING');

  cluster.held = false;
  const end = cluster.endOffsets('in')[0]!;
  await waitFor(() => cluster.describeGroup('kept')!.offsets.get('in:0') === end, 20_000, 'input committed to its end');
  await waitFor(() => a.threads[0]!.tasks.active.get('0_0')?.bufferedRecords() === 0, 10_000, 'queue drained');
  await waitFor(() => cluster.describeGroup('kept')!.offsets.get('in:0') === end, 20_000, 'input committed to its end');
  return finalCounts(cluster, 'out', isolation);
}

/** A running task holds fetched, unprocessed records when a second instance joins; the task stays where it is. */
async function runningTaskKeptWithQueue(guarantee: ProcessingGuarantee): Promise<Map<string, number>> {
  const cluster = h.cluster();
  await cluster.createTopic('in', { partitions: 1 });
  await cluster.createTopic('out', { partitions: 1 });
  const options = { applicationId: 'queued', cluster, processingGuarantee: guarantee, commitIntervalMs: 20, sessionTimeoutMs: 2_000 } as const;
  const isolation = guarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted';
  // a poll fetches up to 5,000 records, a round processes 1,000 of them: the queue holds the rest for a few rounds;
  // the second instance starts joining while the first round is processed
  const b = h.app(countTopology({ caching: false, storeType: 'in_memory' }), { ...options, stateDir: tempStateDir('queued-b') });
  let processed = 0;
  let bufferedAtJoin = 0;
  const a = h.app(
    countTopology({
      caching: false,
      storeType: 'in_memory',
      onRecord: () => {
        if (++processed !== 1_000) return;
        bufferedAtJoin = a.threads[0]!.tasks.active.get('0_0')!.bufferedRecords();
        void b.start();
      },
    }),
    { ...options, maxPollRecords: 5_000, stateDir: tempStateDir('queued-a') },
  );
  await a.start();
  await a.waitForState('RUNNING');
  await cluster.produce('in', perKey(2_000));
  await waitFor(() => processed >= 1_000, 10_000, 'first records processed');
  expect(bufferedAtJoin).toBeGreaterThan(0);
  const end = cluster.endOffsets('in')[0]!;
  await waitFor(() => cluster.describeGroup('queued')!.offsets.get('in:0') === end && cluster.describeGroup('queued')!.members.length === 2, 20_000, 'input committed to its end');
  expect([...(await a.metrics()).activeTasks]).toEqual(['0_0']);
  return finalCounts(cluster, 'out', isolation);
}

/**
 * Eager protocol: a member gives up all its partitions, rejoins, and gets its next assignment only once every
 * member has rejoined. D (running) stops polling, so the group waits for it; meanwhile A's task, restoring when the
 * rebalance began, completes its restoration. The task must neither resume nor process partitions A's consumer no
 * longer owns (the consumer throws 'Cannot resume ...: it is not assigned to this consumer').
 */
async function restorationCompletesWhileRevoked(guarantee: ProcessingGuarantee): Promise<{ errors: string[]; finals: Map<string, number> }> {
  const cluster = new HeldPollsCluster();
  h.clusters.push(cluster);
  await cluster.createTopic('in', { partitions: 2 });
  await cluster.createTopic('out', { partitions: 1 });
  const options = { applicationId: 'revoked', cluster, processingGuarantee: guarantee, commitIntervalMs: 50, sessionTimeoutMs: 2_000 } as const;
  const topology = () => countTopology({ caching: false, storeType: 'in_memory' });
  const isolation = guarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted';
  const group = () => cluster.describeGroup('revoked')!;

  // one record per key, processed and committed; the changelog now holds the counts of both tasks
  const first = h.app(topology(), { ...options, stateDir: tempStateDir('revoked-first') });
  await first.start();
  await cluster.produce('in', perKey(1));
  await waitFor(async () => (await finalCounts(cluster, 'out', isolation)).size === KEYS, 10_000, 'first counts');
  await first.close();

  const d = h.app(topology(), { ...options, stateDir: tempStateDir('revoked-d') });
  await d.start();
  await d.waitForState('RUNNING', 10_000);

  // A joins; its task restores from the changelog, held
  const a = h.app(topology(), { ...options, stateDir: tempStateDir('revoked-a') });
  cluster.heldOwner = a;
  cluster.held = true;
  await a.start();
  const restoringTask = () => [...(a.threads[0]?.tasks.active.values() ?? [])].find((t) => t.state === 'RESTORING');
  await waitFor(() => group().state === 'Stable' && group().members.length === 2 && restoringTask() !== undefined, 10_000, 'a task of A restoring');
  const task = restoringTask()!;

  // D stops polling; E joins: A revokes its partitions and rejoins, and the group waits for D
  const e = h.app(topology(), { ...options, stateDir: tempStateDir('revoked-e') });
  cluster.park(d);
  const generation = group().generationId;
  try {
    await waitFor(() => cluster.parked, 10_000, 'D parked');
    await e.start();
    await waitFor(() => a.threads[0]!.state.is('PARTITIONS_REVOKED'), 10_000, 'A revoked its partitions');

    // A's restoration completes inside the window
    cluster.held = false;
    await waitFor(() => task.state !== 'RESTORING' || a.state === 'ERROR', 10_000, "A's restoration completed");
    expect(group().state).toBe('PreparingRebalance');
    expect(group().generationId).toBe(generation);
    // suspended until the assignment: what it would process may belong to another instance's task by then
    expect(a.threads[0]!.tasks.runningTasks()).not.toContain(task);
  } finally {
    cluster.unpark();
  }
  await waitFor(() => group().state === 'Stable' && group().generationId > generation, 10_000, 'rebalance completed');
  const errors = [a, d, e].map((app, i) => `${'ADE'[i]}: ${app.state}`).filter((s) => s.endsWith('ERROR'));
  if (errors.length > 0) return { errors: [...errors, ...h.logs.filter((l) => l.startsWith('error'))], finals: new Map() };

  await cluster.produce('in', perKey(100));
  const ends = cluster.endOffsets('in');
  await waitFor(() => ends.every((end, p) => group().offsets.get(`in:${p}`) === end), 20_000, 'input committed to its end');
  return { errors, finals: await finalCounts(cluster, 'out', isolation) };
}

describe('a running task kept across a rebalance with records in its queue', () => {
  for (const guarantee of ['exactly_once_v2', 'at_least_once'] as const) {
    it(`${guarantee}: 20,000 records over 10 keys count exactly 2,000 per key`, async () => {
      const finals = await runningTaskKeptWithQueue(guarantee);
      expect(finals).toEqual(new Map(Array.from({ length: KEYS }, (_, i) => [`k${i}`, 2_000])));
    });
  }
});

describe('a restoring task kept across a rebalance', () => {
  for (const guarantee of ['exactly_once_v2', 'at_least_once'] as const) {
    it(`${guarantee}: 3,000 new records over 10 keys add exactly 300 per key`, async () => {
      const finals = await restoringTaskKeptAcrossRebalance(guarantee);
      expect(finals).toEqual(new Map(Array.from({ length: KEYS }, (_, i) => [`k${i}`, 301])));
    });
  }
});

describe('a task whose restoration completes between a revocation and the next assignment', () => {
  for (const guarantee of ['exactly_once_v2', 'at_least_once'] as const) {
    it(`${guarantee}: no instance fails, and 1,000 new records over 10 keys add exactly 100 per key`, async () => {
      const { errors, finals } = await restorationCompletesWhileRevoked(guarantee);
      expect(errors).toEqual([]);
      expect(finals).toEqual(new Map(Array.from({ length: KEYS }, (_, i) => [`k${i}`, 101])));
    });
  }
});

describe('a crash while a task is opening its stores', () => {
  it('the state dir is released only once the zombie let go of them: the next instance opens the stores after it', async () => {
    const cluster = new EmbeddedKafkaCluster();
    h.clusters.push(cluster);
    await cluster.createTopic('in', { partitions: 1 });
    const events: string[] = [];
    let openZombie = (): void => undefined;
    const zombieGate = new Promise<void>((r) => (openZombie = r));
    let zombieOpening = (): void => undefined;
    const zombieIsOpening = new Promise<void>((r) => (zombieOpening = r));
    // the first instance's store init waits at the gate; the second's runs at once and opens the gate, so
    // without the wait for the zombie both open the same store files together
    const topology = (who: 'zombie' | 'next'): Topology => {
      const gated = (inner: StoreBuilder): StoreBuilder => ({
        name: inner.name,
        loggingEnabled: inner.loggingEnabled,
        cachingEnabled: inner.cachingEnabled,
        build: () => {
          const store = inner.build();
          const init = store.init.bind(store);
          store.init = async (ctx) => {
            events.push(`${who} opens`);
            if (who === 'zombie') zombieOpening(), await zombieGate;
            else openZombie();
            await init(ctx);
            events.push(`${who} opened`);
          };
          return store;
        },
        withCachingEnabled: () => gated(inner.withCachingEnabled()),
        withCachingDisabled: () => gated(inner.withCachingDisabled()),
        withLoggingEnabled: (config) => gated(inner.withLoggingEnabled(config)),
        withLoggingDisabled: () => gated(inner.withLoggingDisabled()),
      });
      const builder = gated(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('gated'), Serdes.String(), Serdes.String()).withCachingDisabled());
      return new Topology()
        .addSource('src', 'in', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
        .addProcessor('p', () => ({ process() {} }), 'src')
        .addStateStore(builder, 'p');
    };
    const stateDir = tempStateDir('crash-while-opening');
    const zombie = h.app(topology('zombie'), { applicationId: 'opening', cluster, stateDir });
    await zombie.start();
    await zombieIsOpening;
    await cluster.crash(zombie);
    const next = h.app(topology('next'), { applicationId: 'opening', cluster, stateDir });
    // bounded: with the wait, the gate only opens here (nothing else would open it)
    const fallback = setTimeout(openZombie, 300);
    await next.start();
    await next.waitForState('RUNNING', 10_000);
    clearTimeout(fallback);
    expect(events.slice(0, 3)).toEqual(['zombie opens', 'zombie opened', 'next opens']);
  });
});
