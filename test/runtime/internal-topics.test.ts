import { afterEach, describe, expect, it } from 'vitest';
import { Consumed, EmbeddedKafkaCluster, Materialized, Serdes, StreamsBuilder, type Admin } from '../../src/index.js';
import { prepareTopics } from '../../src/runtime/internal-topics.js';

const S = Serdes.String();
const config = { applicationId: 'app', deserializationExceptionHandler: 'logAndFail', processingExceptionHandler: 'logAndFail' } as const;

describe('prepareTopics: partition counts of internal topics', () => {
  let cluster: EmbeddedKafkaCluster;
  let admin: Admin;
  afterEach(async () => {
    await admin.close();
    await cluster.close();
  });

  async function withTopics(topics: Record<string, number>): Promise<void> {
    cluster = new EmbeddedKafkaCluster();
    admin = cluster.admin();
    for (const [topic, partitions] of Object.entries(topics)) await cluster.createTopic(topic, { partitions });
  }

  it("a foreign-key join of tables with different partition counts: the subscription topic takes the foreign table's count, the response topic the primary table's", async () => {
    await withTopics({ orders: 3, customers: 2 });
    const b = new StreamsBuilder();
    const customers = b.table('customers', Consumed.with(S, S), Materialized.as('customers'));
    b.table('orders', Consumed.with(S, S), Materialized.as('orders')).join(customers, (o: string) => o.split(':')[0]!, (o: string, c: string) => `${o}/${c}`);
    const metadata = await prepareTopics(b.build(), config, admin);
    const internal = [...metadata.partitionCounts].filter(([t]) => t.includes('FK-JOIN') && t.endsWith('-topic'));
    expect(Object.fromEntries(internal.map(([t, n]) => [t.replace(/-\d+-topic$/, ''), n]))).toEqual({
      'app-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION': 2,
      'app-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE': 3,
    });
  });

  it("a re-keyed stream joined with a table: the repartition topic takes the table's partition count", async () => {
    await withTopics({ clicks: 4, users: 2 });
    const b = new StreamsBuilder();
    const users = b.table('users', Consumed.with(S, S), Materialized.as('users'));
    b.stream('clicks', Consumed.with(S, S))
      .selectKey((_k, v) => v)
      .join(users, (v: string, u: string) => `${v}/${u}`);
    const metadata = await prepareTopics(b.build(), config, admin);
    const repartition = [...metadata.partitionCounts].filter(([t]) => t.endsWith('-repartition'));
    expect(repartition).toEqual([[expect.stringMatching(/^app-.*-repartition$/), 2]]);
  });

  it('still refuses source topics of a join with different partition counts', async () => {
    await withTopics({ clicks: 4, users: 2 });
    const b = new StreamsBuilder();
    const users = b.table('users', Consumed.with(S, S), Materialized.as('users'));
    b.stream('clicks', Consumed.with(S, S)).join(users, (v: string, u: string) => `${v}/${u}`);
    await expect(prepareTopics(b.build(), config, admin)).rejects.toThrow(/Co-partitioning violation in sub-topology \d+: its input topics (clicks, users|users, clicks) have different partition counts/);
  });
});
