import { describe, expect, it } from 'vitest';
import {
  Consumed,
  IllegalStateError,
  KeyValue,
  Produced,
  Serdes,
  StreamsBuilder,
  StreamsError,
  TestInputTopic,
  TestOutputTopic,
  TopologyTestDriver,
  type TestRecord,
} from '../../src/index.js';

const S = Serdes.String();
const L = Serdes.Long();

/** in -> out unchanged, plus a second path a -> b -> c to show fed-back topics. */
function passThroughDriver(startMs?: number) {
  const builder = new StreamsBuilder();
  builder.stream('in', Consumed.with(S, L)).to('out', Produced.with(S, L));
  builder.stream('a', Consumed.with(S, L)).mapValues((v) => v + 1).to('b', Produced.with(S, L));
  builder.stream('b', Consumed.with(S, L)).mapValues((v) => v * 10).to('c', Produced.with(S, L));
  const driver = new TopologyTestDriver(builder.build(), { applicationId: 'ttd' }, startMs);
  return { driver, input: driver.createInputTopic('in', S, L), output: driver.createOutputTopic('out', S, L) };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

/** The error of a call that may throw or return a rejected Promise (driver calls may be sync or async). */
async function rejection(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('TestInputTopic.pipeInput overloads', () => {
  it('(value): null key, the topic clock as timestamp', async () => {
    const { input, output } = passThroughDriver(1_000);
    expect(input).toBeInstanceOf(TestInputTopic);
    expect(output).toBeInstanceOf(TestOutputTopic);
    await input.pipeInput(5);
    expect(output.readRecord()).toEqual({ key: null, value: 5, timestamp: 1_000, headers: {} });
  });

  it('(key, value): the topic clock, advanced by autoAdvanceMs after each record; advanceTime moves it', async () => {
    const { driver, output } = passThroughDriver(1_000);
    const input = driver.createInputTopic('in', S, L, 500, 10);
    await input.pipeInput('a', 1);
    await input.pipeInput('b', 2);
    input.advanceTime(100);
    await input.pipeInput('c', 3);
    expect(output.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 1, 500],
      ['b', 2, 510],
      ['c', 3, 620],
    ]);
  });

  it('(key, value, timestamp) and (TestRecord) with headers', async () => {
    const { input, output } = passThroughDriver(0);
    await input.pipeInput('k', 1, 42);
    await input.pipeInput({ key: 'r', value: 2, timestamp: 43, headers: { h: Buffer.from('x') } });
    await input.pipeInput({ value: 3, timestamp: 44 });
    const records: TestRecord<string | null, number | null>[] = output.readRecordsToList();
    expect(records).toEqual([
      { key: 'k', value: 1, timestamp: 42, headers: {} },
      { key: 'r', value: 2, timestamp: 43, headers: { h: Buffer.from('x') } },
      { key: null, value: 3, timestamp: 44, headers: {} },
    ]);
  });

  it('pipeKeyValueList, pipeValueList and pipeRecordList keep the order', async () => {
    const { input, output } = passThroughDriver(7);
    await input.pipeKeyValueList([KeyValue.pair('a', 1), KeyValue.pair('b', 2)]);
    await input.pipeValueList([3, 4]);
    await input.pipeRecordList([
      { key: 'e', value: 5, timestamp: 100 },
      { key: 'f', value: 6, timestamp: 50 },
    ]);
    expect(output.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 1, 7],
      ['b', 2, 7],
      [null, 3, 7],
      [null, 4, 7],
      ['e', 5, 100],
      ['f', 6, 50],
    ]);
  });

  it('a null value (tombstone) passes through a stream', async () => {
    const { input, output } = passThroughDriver(0);
    await input.pipeInput('k', null as unknown as number, 1);
    expect(output.readKeyValue()).toEqual({ key: 'k', value: null });
  });

  it('piping into a topic no source reads throws, naming the topic and the topics that are read', async () => {
    const { driver } = passThroughDriver(0);
    const e = (await rejection(() => driver.createInputTopic('nope', S, L).pipeInput('k', 1, 1))) as StreamsError;
    expect(e).toBeInstanceOf(StreamsError);
    expect(e.code).toBe('UNKNOWN_TOPIC');
    expect(e.message).toBe("Unknown topic: 'nope' is not read by any source of the topology (sources read: in, a, b).");
  });

  it('piping after close() throws an IllegalStateError', async () => {
    const { driver, input } = passThroughDriver(0);
    await driver.close();
    expect(await rejection(() => input.pipeInput('k', 1, 1))).toBeInstanceOf(IllegalStateError);
  });
});

describe('TestOutputTopic reading', () => {
  it('readKeyValue, readValue, readRecord consume one record each; isEmpty / getQueueSize follow', async () => {
    const { input, output } = passThroughDriver(0);
    expect(output.isEmpty()).toBe(true);
    await input.pipeKeyValueList([KeyValue.pair('a', 1), KeyValue.pair('b', 2), KeyValue.pair('c', 3)]);
    expect(output.isEmpty()).toBe(false);
    expect(output.getQueueSize()).toBe(3);
    expect(output.readKeyValue()).toEqual({ key: 'a', value: 1 });
    expect(output.readValue()).toBe(2);
    expect(output.readRecord()).toEqual({ key: 'c', value: 3, timestamp: 0, headers: {} });
    expect(output.isEmpty()).toBe(true);
    expect(output.getQueueSize()).toBe(0);
  });

  it('reading an empty topic throws (also a topic nothing was ever written to)', async () => {
    const { driver, input, output } = passThroughDriver(0);
    const never = driver.createOutputTopic('never-written', S, L);
    const e = thrown(() => never.readRecord()) as StreamsError;
    expect(e).toBeInstanceOf(StreamsError);
    expect(e.code).toBe('NO_SUCH_ELEMENT');
    expect(e.message).toBe("Empty topic: 'never-written' has no more records to read.");
    await input.pipeInput('a', 1, 1);
    output.readKeyValue();
    expect(() => output.readKeyValue()).toThrow("Empty topic: 'out' has no more records to read.");
    expect(() => output.readValue()).toThrow(StreamsError);
    expect(output.readRecordsToList()).toEqual([]);
  });

  it('readKeyValuesToList, readRecordsToList and readValuesToList drain the topic', async () => {
    const { input, output } = passThroughDriver(0);
    await input.pipeKeyValueList([KeyValue.pair('a', 1), KeyValue.pair('a', 2)]);
    expect(output.readKeyValuesToList()).toEqual([KeyValue.pair('a', 1), KeyValue.pair('a', 2)]);
    expect(output.isEmpty()).toBe(true);
    await input.pipeInput('b', 3, 9);
    expect(output.readRecordsToList()).toEqual([{ key: 'b', value: 3, timestamp: 9, headers: {} }]);
    await input.pipeValueList([4, 5]);
    expect(output.readValuesToList()).toEqual([4, 5]);
    expect(output.isEmpty()).toBe(true);
  });

  it('readKeyValuesToMap keeps the last value per key; a key whose last value is a tombstone maps to null (as Kafka)', async () => {
    const { input, output } = passThroughDriver(0);
    await input.pipeKeyValueList([
      KeyValue.pair('a', 1),
      KeyValue.pair('b', 2),
      KeyValue.pair('a', 3),
      KeyValue.pair('c', 4),
      KeyValue.pair('c', null as unknown as number),
    ]);
    const map = output.readKeyValuesToMap();
    expect(map).toBeInstanceOf(Map);
    expect([...map.entries()]).toEqual([
      ['a', 3],
      ['b', 2],
      ['c', null],
    ]);
    expect(output.isEmpty()).toBe(true);
  });

  it('readKeyValuesToMap refuses records without a key', async () => {
    const { input, output } = passThroughDriver(0);
    await input.pipeInput(7);
    expect(() => output.readKeyValuesToMap()).toThrow(/Null keys are not allowed with readKeyValuesToMap/);
  });

  it('outputs written to a topic the topology reads are fed back and processed', async () => {
    const { driver } = passThroughDriver(0);
    await driver.createInputTopic('a', S, L).pipeInput('k', 1, 5);
    expect(driver.createOutputTopic('b', S, L).readKeyValue()).toEqual({ key: 'k', value: 2 });
    expect(driver.createOutputTopic('c', S, L).readRecord()).toEqual({ key: 'k', value: 20, timestamp: 5, headers: {} });
    expect(driver.producedTopicNames().sort()).toEqual(['b', 'c']);
    expect(driver.metrics().processedRecords).toBe(2);
  });
});

describe('TopologyTestDriver', () => {
  it('uses the applicationId for internal topics and defaults it when not given', async () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, L)).repartition().to('out', Produced.with(S, L));
    const topology = builder.build();
    const d1 = new TopologyTestDriver(topology, { applicationId: 'my-app' });
    await d1.createInputTopic('in', S, L).pipeInput('k', 1, 1);
    expect(d1.producedTopicNames()).toEqual(['my-app-KSTREAM-REPARTITION-0000000001-repartition', 'out']);
    const d2 = new TopologyTestDriver(topology);
    await d2.createInputTopic('in', S, L).pipeInput('k', 1, 1);
    expect(d2.producedTopicNames()[0]).toMatch(/^[A-Za-z0-9._-]+-KSTREAM-REPARTITION-0000000001-repartition$/);
    expect(d2.createOutputTopic('out', S, L).readKeyValue()).toEqual({ key: 'k', value: 1 });
  });

  it('close() is idempotent; getStateStore of an unknown store is undefined', async () => {
    const { driver } = passThroughDriver(0);
    expect(driver.getStateStore('nothing')).toBeUndefined();
    await driver.close();
    await driver.close();
  });
});
