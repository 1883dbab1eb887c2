/** Conversions between kafkajs shapes and the port's. */
import type { Batch } from 'kafkajs';
import type { ConsumedRecord, MessageHeaders, TopicPartition } from '../client.js';

/** kafkajs batch -> port records. Offsets and timestamps become numbers; a repeated header keeps its last value. */
export function toRecords(batch: Batch): ConsumedRecord[] {
  const { topic, partition } = batch;
  return batch.messages.map((m) => {
    const headers: MessageHeaders = {};
    if (m.headers) {
      for (const [k, v] of Object.entries(m.headers)) {
        const last = Array.isArray(v) ? v[v.length - 1] : v;
        if (last !== undefined) headers[k] = typeof last === 'string' ? Buffer.from(last) : last;
      }
    }
    return { topic, partition, offset: Number(m.offset), key: m.key ?? null, value: m.value ?? null, timestamp: Number(m.timestamp), headers };
  });
}

/** Port partitions -> kafkajs' `[{ topic, partitions }]` (pause/resume). */
export function groupByTopic(tps: readonly TopicPartition[]): { topic: string; partitions: number[] }[] {
  const m = new Map<string, number[]>();
  for (const tp of tps) {
    let l = m.get(tp.topic);
    if (!l) m.set(tp.topic, (l = []));
    l.push(tp.partition);
  }
  return [...m].map(([topic, partitions]) => ({ topic, partitions }));
}
