import { describe, expect, it } from 'vitest';
import { Consumed, JoinWindows, Produced, Serdes, StreamJoined, StreamsBuilder, TopologyTestDriver, type KStream } from '../../src/index.js';

const S = Serdes.String();
type Kind = 'join' | 'leftJoin' | 'outerJoin';

function build(kind: Kind, windows: JoinWindows, joined?: StreamJoined<string, string, string>) {
  const b = new StreamsBuilder();
  const left = b.stream('left', Consumed.with(S, S));
  const right = b.stream('right', Consumed.with(S, S));
  const joiner = (l: string | null, r: string | null): string => `${l}+${r}`;
  const out: KStream<string, string> =
    kind === 'join' ? left.join(right, joiner, windows, joined) : kind === 'leftJoin' ? left.leftJoin(right, joiner, windows, joined) : left.outerJoin(right, joiner, windows, joined);
  out.to('out', Produced.with(S, S));
  return b.build();
}

async function drive(kind: Kind, windows: JoinWindows, steps: [side: 'l' | 'r', key: string | null, value: string | null, ts: number][]) {
  const d = new TopologyTestDriver(build(kind, windows));
  const l = d.createInputTopic('left', S, S);
  const r = d.createInputTopic('right', S, S);
  for (const [side, key, value, ts] of steps) await (side === 'l' ? l : r).pipeInput(key as string, value as string, ts);
  const out = d
    .createOutputTopic('out', S, S)
    .readRecordsToList()
    .map((x) => [x.key, x.value, x.timestamp]);
  const metrics = d.metrics();
  await d.close();
  return { out, metrics };
}

describe('KStream-KStream join', () => {
  it('inner join pairs records of a key within the time difference, in both arrival orders, with the larger timestamp', async () => {
    const { out } = await drive('join', JoinWindows.ofTimeDifferenceWithNoGrace(10), [
      ['l', 'k', 'A', 100],
      ['r', 'k', 'X', 105], // after A
      ['r', 'k', 'Y', 111], // 11 ms after A: outside
      ['l', 'k', 'B', 108], // out of order, joins X (105) and Y (111)
      ['r', 'other', 'Z', 108], // other key
    ]);
    expect(out).toEqual([
      ['k', 'A+X', 105],
      ['k', 'B+X', 108],
      ['k', 'B+Y', 111],
    ]);
  });

  it('before/after make the window asymmetric', async () => {
    const windows = JoinWindows.ofTimeDifferenceWithNoGrace(0).after(5).before(1);
    const { out } = await drive('join', windows, [
      ['l', 'k', 'A', 100],
      ['r', 'k', 'late-2', 98], // 2 before A: outside before(1)... and late
      ['r', 'k', 'in', 104], // 4 after A
      ['r', 'k', 'out', 106], // 6 after A: outside
    ]);
    expect(out).toEqual([['k', 'A+in', 104]]);
  });

  it('left join emits an unmatched record with null only once its window has closed (stream time > ts + after + grace)', async () => {
    const windows = JoinWindows.ofTimeDifferenceAndGrace(10, 5);
    const { out } = await drive('leftJoin', windows, [
      ['l', 'k', 'A', 100],
      ['l', 'x', 'B', 110], // A's window [90, 110] closed at 110 but grace runs to 115
      ['r', 'k', 'X', 109], // still joins A (within grace)
      ['l', 'x', 'C', 114],
      ['l', 'y', 'D', 130], // now A (matched), B, C close: only B and C are emitted with null
    ]);
    expect(out).toEqual([
      ['k', 'A+X', 109],
      ['x', 'B+null', 110],
      ['x', 'C+null', 114],
    ]);
  });

  it('outer join reports unmatched records of both sides, oldest first', async () => {
    const { out } = await drive('outerJoin', JoinWindows.ofTimeDifferenceWithNoGrace(5), [
      ['r', 'k', 'X', 10],
      ['l', 'j', 'A', 11],
      ['l', 'k', 'B', 14], // joins X
      ['r', 'z', 'Z', 30], // closes A (11 + 5 < 30); Z waits
    ]);
    expect(out).toEqual([
      ['k', 'B+X', 14],
      ['j', 'A+null', 11],
    ]);
  });

  it('drops and counts records that arrive after their window and grace period', async () => {
    const { out, metrics } = await drive('join', JoinWindows.ofTimeDifferenceAndGrace(10, 5), [
      ['l', 'k', 'A', 100],
      ['r', 'k', 'X', 84], // 84 + 10 + 5 < 100: late
      ['r', 'k', 'Y', 86], // 86 + 10 + 5 >= 100: joins A (within 10 of 86? 100 - 86 = 14 > 10: no match)
      ['r', 'k', 'W', 91], // joins A
    ]);
    expect(out).toEqual([['k', 'A+W', 100]]);
    expect(metrics.droppedLateRecords).toBe(1);
  });

  it('skips null values; a left join reports a record without a key at once', async () => {
    const { out, metrics } = await drive('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(10), [
      ['l', null, 'A', 1],
      ['l', 'k', null, 2],
      ['r', 'k', 'X', 3],
    ]);
    expect(out).toEqual([[null, 'A+null', 1]]);
    expect(metrics.skippedRecords).toBe(1);
  });

  it('describe() names nodes and stores as Kafka Streams: inner join', () => {
    const text = build('join', JoinWindows.ofTimeDifferenceWithNoGrace(10)).describe().toString();
    expect(text).toContain('Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-JOINTHIS-0000000004-store])');
    expect(text).toContain('Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-JOINOTHER-0000000005-store])');
    expect(text).toContain('Processor: KSTREAM-JOINTHIS-0000000004 (stores: [KSTREAM-JOINOTHER-0000000005-store])');
    expect(text).toContain('Processor: KSTREAM-JOINOTHER-0000000005 (stores: [KSTREAM-JOINTHIS-0000000004-store])');
    expect(text).toContain('<-- KSTREAM-JOINOTHER-0000000005, KSTREAM-JOINTHIS-0000000004');
    expect(text).toContain('Processor: KSTREAM-MERGE-0000000006');
    expect(text).toContain('Sink: KSTREAM-SINK-0000000007 (topic: out)');
  });

  it('describe(): left join has OUTEROTHER and the shared outer store, outer join OUTERTHIS too', () => {
    const left = build('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(10)).describe().toString();
    expect(left).toContain('Processor: KSTREAM-JOINTHIS-0000000004 (stores: [KSTREAM-OUTEROTHER-0000000005-store, KSTREAM-OUTERSHARED-0000000004-store])');
    const outer = build('outerJoin', JoinWindows.ofTimeDifferenceWithNoGrace(10)).describe().toString();
    expect(outer).toContain('Processor: KSTREAM-OUTERTHIS-0000000004 (stores: [KSTREAM-OUTEROTHER-0000000005-store, KSTREAM-OUTERSHARED-0000000004-store])');
    expect(outer).toContain('Processor: KSTREAM-OUTEROTHER-0000000005 (stores: [KSTREAM-OUTERTHIS-0000000004-store, KSTREAM-OUTERSHARED-0000000004-store])');
  });

  it('StreamJoined names the processors and stores; the stores are logged to changelog topics', () => {
    const joined = StreamJoined.with(S, S, S).withName('j').withStoreName('buf');
    const topology = build('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(10), joined);
    const text = topology.describe().toString();
    expect(text).toContain('Processor: j-this-windowed (stores: [buf-this-join-store])');
    expect(text).toContain('Processor: j-this-join (stores: [buf-outer-other-join-store, buf-outer-shared-join-store])');
    expect(text).toContain('Processor: j-merge');
    expect([...topology.internalTopics.keys()].sort()).toEqual([
      'buf-outer-other-join-store-changelog',
      'buf-outer-shared-join-store-changelog',
      'buf-this-join-store-changelog',
    ]);
  });

  it('repartitions a side whose key changed (co-partitioning), as Kafka Streams names it', async () => {
    const b = new StreamsBuilder();
    const left = b.stream('left', Consumed.with(S, S)).selectKey((_k, v) => v.split(':')[0]!);
    const right = b.stream('right', Consumed.with(S, S));
    left.join(right, (l, r) => `${l}/${r}`, JoinWindows.ofTimeDifferenceWithNoGrace(10)).to('out', Produced.with(S, S));
    const topology = b.build();
    expect([...topology.internalTopics.keys()]).toContain('KSTREAM-KEY-SELECT-0000000001-repartition');
    expect(topology.subtopologies().length).toBe(2);
    const d = new TopologyTestDriver(topology);
    await d.createInputTopic('right', S, S).pipeInput('u1', 'R', 5);
    await d.createInputTopic('left', S, S).pipeInput('x', 'u1:L', 6);
    expect(d.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([{ key: 'u1', value: 'u1:L/R' }]);
    await d.close();
  });

  it('rejects a join without JoinWindows', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('a');
    expect(() => s.join(b.stream<string, string>('b'), (x, y) => x + y, {} as JoinWindows)).toThrow(/JoinWindows/);
  });

  it('purges buffered records whose window has closed', async () => {
    const d = new TopologyTestDriver(build('join', JoinWindows.ofTimeDifferenceWithNoGrace(5)));
    const l = d.createInputTopic('left', S, S);
    for (let i = 0; i < 50; i++) await l.pipeInput(`k${i}`, 'v', i * 10);
    const store = d.getStateStore('KSTREAM-JOINTHIS-0000000004-store') as unknown as { bytes: { approximateNumEntries(): Promise<number> | number } };
    expect(await store.bytes.approximateNumEntries()).toBeLessThanOrEqual(2);
    await d.close();
  });
});
