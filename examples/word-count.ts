/**
 * Word count on the embedded cluster: lines in 'text', counts per word in the store 'counts' and the topic
 * 'word-counts'. Run: npx tsx examples/word-count.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Consumed,
  EmbeddedKafkaCluster,
  Grouped,
  KafkaStreams,
  Materialized,
  Produced,
  QueryableStoreTypes,
  Serdes,
  StreamsBuilder,
} from '../src/index.js';

const LINES = [
  'all streams flow to the sea',
  'yet the sea is not full',
  'to the place the streams come from',
  'there they return again',
];

const builder = new StreamsBuilder();
builder
  .stream('text', Consumed.with(Serdes.String(), Serdes.String()))
  .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter((w) => w.length > 0))
  .groupBy((_key, word) => word, Grouped.with(Serdes.String(), Serdes.String()))
  .count(Materialized.as('counts'))
  .toStream()
  .to('word-counts', Produced.with(Serdes.String(), Serdes.Long()));
const topology = builder.build();
console.log(topology.describe().toString());

const cluster = new EmbeddedKafkaCluster();
await cluster.createTopic('text', { partitions: 2 });
await cluster.createTopic('word-counts', { partitions: 2 });
const str = Serdes.String();
await cluster.produce(
  'text',
  LINES.map((line, i) => ({ key: str.serialize('text', `line-${i}`), value: str.serialize('text', line) })),
);

const stateDir = await mkdtemp(join(tmpdir(), 'sluice-word-count-'));
const streams = new KafkaStreams(topology, { applicationId: 'word-count', cluster, commitIntervalMs: 100, stateDir });
await streams.start();
await streams.waitForState('RUNNING');

// Wait until every word has been counted: 'the' occurs 4 times in the input.
const counts = streams.store({ storeName: 'counts', type: QueryableStoreTypes.keyValueStore<string, number>() });
const deadline = Date.now() + 10_000;
while ((await counts.get('the')) !== 4) {
  if (Date.now() > deadline) throw new Error('word count did not finish within 10 s');
  await new Promise((r) => setTimeout(r, 50));
}
for (const word of ['the', 'streams', 'sea', 'flow']) console.log(`store 'counts': ${word} = ${await counts.get(word)}`);

await streams.close(); // commits: the last counts reach the output topic
const long = Serdes.Long();
const latest = new Map<string, number>();
for (const r of await cluster.readAll('word-counts')) latest.set(str.deserialize('word-counts', r.key)!, long.deserialize('word-counts', r.value)!);
console.log(`topic 'word-counts': ${latest.size} words, top 3:`, [...latest].sort((a, b) => b[1] - a[1]).slice(0, 3));
await cluster.close();
await rm(stateDir, { recursive: true, force: true });
