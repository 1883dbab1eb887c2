/**
 * `npm start`: the Sluice demo. A generator feeds 'page-views' and 'users'; a KafkaStreams application
 * (exactly_once_v2 by default) counts views per page and users per region; progress is shown live; at the end
 * the results are read through interactive queries and from the output topics (read_committed) and checked
 * against a recomputation from the input topics. Exits 0 when they agree, 1 otherwise.
 *
 *   npm start                                   embedded in-process cluster (no broker needed)
 *   npm start -- --records 200000 --seconds 15
 *   npm start -- --bootstrap localhost:9092     a real Kafka cluster (through kafkajs)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  EmbeddedKafkaCluster,
  KafkajsClient,
  KafkaStreams,
  QueryableStoreTypes,
  toArray,
  type KafkaClient,
  type ProcessingGuarantee,
} from '../../src/index.js';
import { Generator } from './generator.js';
import { Progress, type Sample } from './progress.js';
import { checkAndReport } from './summary.js';
import { buildDemoTopology, STORES, TOPICS } from './topology.js';

const USAGE = `Usage: npm start -- [options]
  --records N        page views to generate (default 100000)
  --seconds S        spread them over S seconds (default 10; 0 = as fast as possible)
  --partitions P     partitions of the input and output topics (default 4)
  --guarantee G      exactly_once_v2 (default) or at_least_once
  --bootstrap HOSTS  run against a real Kafka cluster (host:port[,host:port...]) instead of the embedded one
  --seed N           generator seed (default 42)
  --describe         print the topology description first
  --help`;

interface Options {
  readonly records: number;
  readonly seconds: number;
  readonly partitions: number;
  readonly guarantee: ProcessingGuarantee;
  readonly bootstrap: string | undefined;
  readonly seed: number;
  readonly describe: boolean;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '100000' },
      seconds: { type: 'string', default: '10' },
      partitions: { type: 'string', default: '4' },
      guarantee: { type: 'string', default: 'exactly_once_v2' },
      bootstrap: { type: 'string' },
      seed: { type: 'string', default: '42' },
      describe: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name: string, v: string, min: number): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}, got '${v}'.\n${USAGE}`);
    return n;
  };
  if (values.guarantee !== 'exactly_once_v2' && values.guarantee !== 'at_least_once') {
    throw new Error(`--guarantee must be exactly_once_v2 or at_least_once, got '${values.guarantee}'.`);
  }
  return {
    records: Math.floor(num('records', values.records, 1)),
    seconds: num('seconds', values.seconds, 0),
    partitions: Math.floor(num('partitions', values.partitions, 1)),
    guarantee: values.guarantee,
    bootstrap: values.bootstrap,
    seed: Math.floor(num('seed', values.seed, 0)),
    describe: values.describe,
  };
}

/**
 * Waits until the application has processed everything: lag 0 and no record processed for `quietMs` (which also
 * covers the repartition topics, whose records arrive after the input ones are processed).
 */
async function waitUntilCaughtUp(progress: Progress, produced: number, quietMs: number, timeoutMs: number): Promise<Sample> {
  const deadline = Date.now() + timeoutMs;
  let stableSince: Sample | undefined;
  for (;;) {
    const s = await progress.sample();
    if (s.metrics.state === 'ERROR' || s.metrics.state === 'NOT_RUNNING') throw new Error(`The application stopped (state ${s.metrics.state}).`);
    const idle = s.metrics.state === 'RUNNING' && s.lag === 0 && s.metrics.processedRecords >= produced;
    if (!idle || !stableSince || stableSince.metrics.processedRecords !== s.metrics.processedRecords) stableSince = idle ? s : undefined;
    else if (s.atMs - stableSince.atMs >= quietMs) return stableSince;
    if (Date.now() > deadline) throw new Error(`The application did not catch up within ${timeoutMs} ms (lag ${s.lag}, state ${s.metrics.state}).`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function run(o: Options): Promise<boolean> {
  const cluster = o.bootstrap ? undefined : new EmbeddedKafkaCluster();
  const client: KafkaClient = cluster ?? new KafkajsClient({ brokers: o.bootstrap!.split(','), clientId: 'sluice-demo' });
  const where = cluster ? 'the embedded cluster' : `Kafka at ${o.bootstrap}`;
  console.log(`Sluice demo: ${o.records.toLocaleString('en-US')} page views over ${o.seconds} s on ${where}, ${o.guarantee}`);

  const admin = client.admin();
  await admin.createTopics([
    { topic: TOPICS.pageViews, partitions: o.partitions },
    { topic: TOPICS.users, partitions: o.partitions, config: { 'cleanup.policy': 'compact' } },
    { topic: TOPICS.pageViewCounts, partitions: o.partitions },
    { topic: TOPICS.regionUserCounts, partitions: o.partitions },
  ]);
  await admin.close();

  const topology = buildDemoTopology();
  if (o.describe) console.log(topology.describe().toString().trimEnd());
  console.log(
    `Topology: '${TOPICS.pageViews}' -> groupBy(page) -> count ('${STORES.viewsPerPage}') -> '${TOPICS.pageViewCounts}'; ` +
      `table '${TOPICS.users}' -> groupBy(region) -> count ('${STORES.usersPerRegion}') -> '${TOPICS.regionUserCounts}'`,
  );
  const stateDir = await mkdtemp(join(tmpdir(), 'sluice-demo-'));
  const streams = new KafkaStreams(topology, {
    applicationId: 'sluice-demo',
    ...(cluster ? { cluster } : { bootstrapServers: o.bootstrap! }),
    processingGuarantee: o.guarantee,
    commitIntervalMs: 100,
    stateDir,
  });
  streams.on('error', (e) => console.error(`\nstream thread error: ${e instanceof Error ? e.message : String(e)}`));
  const generator = new Generator({ records: o.records, seconds: o.seconds, seed: o.seed });
  const progress = new Progress(streams, generator);
  const stop = (): void => generator.stop();
  process.once('SIGINT', stop);
  try {
    const startedAt = Date.now();
    await streams.start();
    progress.start();
    await generator.run(client);
    const producedAt = Date.now();
    const last = await waitUntilCaughtUp(progress, generator.produced, cluster ? 500 : 3_000, 30_000);
    progress.stop();

    const kv = QueryableStoreTypes.keyValueStore<string, number>();
    const pages = await toArray(streams.store({ storeName: STORES.viewsPerPage, type: kv }).all());
    const regions = await toArray(streams.store({ storeName: STORES.usersPerRegion, type: kv }).all());
    await streams.close();

    return await checkAndReport(client, {
      generator,
      metrics: last.metrics,
      guarantee: o.guarantee,
      produceSeconds: (producedAt - startedAt) / 1000,
      processSeconds: (last.atMs - startedAt) / 1000,
      storePages: new Map(pages.map((e) => [e.key, e.value])),
      storeRegions: new Map(regions.map((e) => [e.key, e.value])),
    });
  } finally {
    process.off('SIGINT', stop);
    progress.stop();
    await streams.close();
    await cluster?.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

try {
  const ok = await run(parseOptions());
  process.exit(ok ? 0 : 1);
} catch (e) {
  console.error(`\ndemo failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
