import { describe, expect, it } from 'vitest';
import { Consumed, Materialized, Produced, Serdes, StreamsBuilder, TopologyTestDriver } from '../../src/index.js';

const S = Serdes.String();

describe('KTable-KTable join', () => {
  it('inner join: updates of either side update the row; a row that loses its match becomes a tombstone', async () => {
    const b = new StreamsBuilder();
    const users = b.table('users', Consumed.with(S, S));
    const emails = b.table('emails', Consumed.with(S, S));
    users.join(emails, (u, e) => `${u}<${e}>`).toStream().to('out', Produced.with(S, S));
    const d = new TopologyTestDriver(b.build());
    const u = d.createInputTopic('users', S, S);
    const e = d.createInputTopic('emails', S, S);
    await u.pipeInput('1', 'ann', 1);
    await e.pipeInput('1', 'a@x', 2);
    await u.pipeInput('1', 'anne', 3);
    await e.pipeInput('1', 'anne@x', 4);
    await e.pipeInput('1', null as unknown as string, 5);
    await e.pipeInput('2', 'nobody@x', 6);
    expect(d.createOutputTopic('out', S, S).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['1', 'ann<a@x>', 2],
      ['1', 'anne<a@x>', 3],
      ['1', 'anne<anne@x>', 4],
      ['1', null, 5],
    ]);
    await d.close();
  });

  it('left and outer joins keep rows without a match, joined with null', async () => {
    const run = async (outer: boolean) => {
      const b = new StreamsBuilder();
      const l = b.table('l', Consumed.with(S, S));
      const r = b.table('r', Consumed.with(S, S));
      (outer ? l.outerJoin(r, (x, y) => `${x}|${y}`) : l.leftJoin(r, (x, y) => `${x}|${y}`)).toStream().to('out', Produced.with(S, S));
      const d = new TopologyTestDriver(b.build());
      await d.createInputTopic('r', S, S).pipeInput('k', 'R', 1);
      await d.createInputTopic('l', S, S).pipeInput('k', 'L', 2);
      await d.createInputTopic('l', S, S).pipeInput('k', null as unknown as string, 3);
      const out = d.createOutputTopic('out', S, S).readKeyValuesToList();
      await d.close();
      return out;
    };
    expect(await run(false)).toEqual([
      { key: 'k', value: 'L|R' },
      { key: 'k', value: null },
    ]);
    expect(await run(true)).toEqual([
      { key: 'k', value: 'null|R' },
      { key: 'k', value: 'L|R' },
      { key: 'k', value: 'null|R' },
    ]);
  });

  it('describe() names KTABLE-MERGE / KTABLE-JOINTHIS / KTABLE-JOINOTHER with the other side\'s stores, as Kafka Streams', () => {
    const b = new StreamsBuilder();
    const l = b.table('l', Consumed.with(S, S));
    const r = b.table('r', Consumed.with(S, S));
    l.join(r, (x, y) => x + y, Materialized.as('joined')).toStream().to('out', Produced.with(S, S));
    const text = b.build().describe().toString();
    expect(text).toContain('Processor: KTABLE-JOINTHIS-0000000007 (stores: [r-STATE-STORE-0000000003])');
    expect(text).toContain('Processor: KTABLE-JOINOTHER-0000000008 (stores: [l-STATE-STORE-0000000000])');
    expect(text).toContain('Processor: KTABLE-MERGE-0000000006 (stores: [joined])');
  });

  it('an unnamed Materialized names the store KTABLE-MERGE-STATE-STORE-<n> before the merge processor', () => {
    const b = new StreamsBuilder();
    const l = b.table('l', Consumed.with(S, S));
    const r = b.table('r', Consumed.with(S, S));
    l.leftJoin(r, (x, y) => x + y, Materialized.with(S, S));
    const text = b.build().describe().toString();
    expect(text).toContain('Processor: KTABLE-MERGE-0000000007 (stores: [KTABLE-MERGE-STATE-STORE-0000000006])');
  });

  it('rejects joining a table of another builder', () => {
    const t1 = new StreamsBuilder().table<string, string>('a');
    const t2 = new StreamsBuilder().table<string, string>('b');
    expect(() => t1.join(t2, (x, y) => x + y)).toThrow(/same StreamsBuilder/);
  });
});
