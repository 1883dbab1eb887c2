/**
 * Reads a whole topic through the Kafka port (embedded cluster or kafkajs): assigns every partition from its
 * earliest offset and polls up to the end offsets taken at the start.
 */
import { Serdes, type KafkaClient } from '../../src/index.js';

type IsolationLevel = 'read_committed' | 'read_uncommitted';

export interface DecodedRecord<V> {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: V | null;
}

/**
 * Records of `topic` in partition order, then offset order. Under read_committed a transaction's commit marker
 * takes an offset, so the last record can sit below the end offset: a consumer that reports its position
 * (the embedded one) stops exactly; otherwise reading stops after `idleMs` without records (20 s before the first).
 */
export async function readTopic<V>(
  client: KafkaClient,
  topic: string,
  decodeValue: (bytes: Buffer | null) => V | null,
  isolationLevel: IsolationLevel = 'read_committed',
  idleMs = 2_000,
): Promise<DecodedRecord<V>[]> {
  const admin = client.admin();
  const consumer = client.consumer({ clientId: 'sluice-demo-reader', isolationLevel, maxPollRecords: 10_000 });
  try {
    const count = (await admin.partitionCounts([topic])).get(topic) ?? 0;
    const partitions = Array.from({ length: count }, (_, partition) => ({ topic, partition }));
    const start = await admin.listOffsets(partitions, 'earliest');
    const end = await admin.listOffsets(partitions, 'latest');
    const key = (p: number): string => `${topic}:${p}`;
    const pending = new Set(partitions.filter((p) => (end.get(key(p.partition)) ?? 0) > (start.get(key(p.partition)) ?? 0)).map((p) => p.partition));
    const byPartition = new Map<number, DecodedRecord<V>[]>();
    if (pending.size === 0) return [];
    await consumer.assign(partitions.map((p) => ({ ...p, offset: start.get(key(p.partition)) ?? 0 })));
    const keySerde = Serdes.String();
    // the first fetch may take a while (a kafkajs consumer joins a private group first): wait longer for it
    let deadline = Date.now() + Math.max(idleMs, 20_000);
    while (pending.size > 0 && Date.now() < deadline) {
      const records = await consumer.poll(100);
      if (records.length > 0) deadline = Date.now() + idleMs;
      for (const r of records) {
        const list = byPartition.get(r.partition) ?? [];
        list.push({ partition: r.partition, offset: r.offset, key: keySerde.deserialize(topic, r.key), value: decodeValue(r.value) });
        byPartition.set(r.partition, list);
        if (r.offset + 1 >= end.get(key(r.partition))!) pending.delete(r.partition);
      }
      for (const p of pending) {
        const position = consumer.position?.({ topic, partition: p });
        if (position !== undefined && position >= end.get(key(p))!) pending.delete(p);
      }
    }
    return [...byPartition.keys()].sort((a, b) => a - b).flatMap((p) => byPartition.get(p)!);
  } finally {
    await consumer.close().catch(() => undefined);
    await admin.close().catch(() => undefined);
  }
}
