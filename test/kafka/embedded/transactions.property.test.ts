import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmbeddedKafkaCluster } from '../../../src/kafka/embedded/embedded-kafka-cluster.js';
import type { ConsumedRecord } from '../../../src/kafka/client.js';
import { buf } from './helpers.js';

type Op =
  | { kind: 'send'; producer: number; partition: number }
  | { kind: 'flush' | 'commit' | 'abort'; producer: number }
  | { kind: 'plain'; partition: number };

const PARTITIONS = 2;
const PRODUCERS = 2;

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('send' as const), producer: fc.nat(PRODUCERS - 1), partition: fc.nat(PARTITIONS - 1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('flush' as const, 'commit' as const, 'abort' as const), producer: fc.nat(PRODUCERS - 1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('plain' as const), partition: fc.nat(PARTITIONS - 1) }) },
);

/** The model: each partition's log as appended, with each entry's transaction (or none) and that transaction's fate. */
interface Entry {
  value: string;
  txn: { state: 'open' | 'committed' | 'aborted' } | null;
}

async function readCommittedViaConsumer(cluster: EmbeddedKafkaCluster): Promise<ConsumedRecord[]> {
  const c = cluster.consumer({ isolationLevel: 'read_committed', maxPollRecords: 3 });
  await c.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: 't', partition, offset: 0 })));
  const out: ConsumedRecord[] = [];
  for (;;) {
    const got = await c.poll(0);
    if (got.length === 0) break;
    out.push(...got);
  }
  await c.close();
  return out;
}

describe('transactions (property)', () => {
  it('a read_committed reader sees exactly the committed and plain records, in log order per partition', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 60 }), async (ops) => {
        const cluster = new EmbeddedKafkaCluster();
        await cluster.createTopic('t', { partitions: PARTITIONS });
        const producers = Array.from({ length: PRODUCERS }, (_, i) => cluster.producer({ transactionalId: `tx-${i}` }));
        for (const p of producers) await p.initTransactions();
        const model: Entry[][] = Array.from({ length: PARTITIONS }, () => []);
        const open: ({ state: 'open' | 'committed' | 'aborted' } | null)[] = producers.map(() => null);
        const unflushed: { partition: number; value: string }[][] = producers.map(() => []);
        let seq = 0;
        const flushModel = (i: number) => {
          for (const u of unflushed[i]!) model[u.partition]!.push({ value: u.value, txn: open[i]! });
          unflushed[i] = [];
        };
        for (const op of ops) {
          const value = `v${seq++}`;
          if (op.kind === 'plain') {
            await cluster.produce('t', [{ key: null, value: buf(value), partition: op.partition }]);
            model[op.partition]!.push({ value, txn: null });
            continue;
          }
          const p = producers[op.producer]!;
          if (op.kind === 'send') {
            if (!open[op.producer]) {
              await p.beginTransaction();
              open[op.producer] = { state: 'open' };
            }
            p.send({ topic: 't', partition: op.partition, key: null, value: buf(value), timestamp: 0 });
            unflushed[op.producer]!.push({ partition: op.partition, value });
          } else if (op.kind === 'flush') {
            await p.flush();
            if (open[op.producer]) flushModel(op.producer);
          } else if (open[op.producer]) {
            if (op.kind === 'commit') {
              await p.commitTransaction(); // flushes first
              flushModel(op.producer);
              open[op.producer]!.state = 'committed';
            } else {
              await p.abortTransaction(); // drops unflushed records
              unflushed[op.producer] = [];
              open[op.producer]!.state = 'aborted';
            }
            open[op.producer] = null;
          }
        }
        for (let i = 0; i < PRODUCERS; i++) if (open[i]) await producers[i]!.flush(), flushModel(i);

        // Expected: per partition, up to the first record of a still-open transaction, the non-aborted records.
        const expected: string[] = [];
        for (const log of model) {
          const stop = log.findIndex((e) => e.txn?.state === 'open');
          for (const e of stop < 0 ? log : log.slice(0, stop)) if (e.txn?.state !== 'aborted') expected.push(e.value);
        }
        const viaReadAll = (await cluster.readAll('t', { isolationLevel: 'read_committed' })).map((r) => r.value!.toString());
        expect(viaReadAll).toEqual(expected);
        const viaConsumer = await readCommittedViaConsumer(cluster);
        const byPartition = (recs: ConsumedRecord[]) =>
          Array.from({ length: PARTITIONS }, (_, p) => recs.filter((r) => r.partition === p).map((r) => r.value!.toString()));
        expect(byPartition(viaConsumer).flat()).toEqual(expected);
        // read_uncommitted sees every appended record.
        const all = (await cluster.readAll('t')).map((r) => r.value!.toString());
        expect(all).toEqual(model.flatMap((log) => log.map((e) => e.value)));
        await cluster.close();
      }),
      { numRuns: 200 },
    );
  });
});
