import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  Consumed,
  ProcessingError,
  Produced,
  SerdeError,
  Serdes,
  StreamsBuilder,
  StreamsError,
  Topology,
  TopologyTestDriver,
  type ProductionRecord,
  type TestDriverConfig,
} from '../../src/index.js';

const S = Serdes.String();
const L = Serdes.Long();
const B = Serdes.Buffer();
const long = (n: number): Buffer => L.serialize('t', n)!;

async function errorOf(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, but the call succeeded');
}

/** in (String, Long) -> mapValues(v * 10) -> out; the input topic pipes raw bytes so tests can send bad ones. */
function longPipeline(config: TestDriverConfig = {}) {
  const builder = new StreamsBuilder();
  builder
    .stream('in', Consumed.with(S, L))
    .mapValues((v) => v * 10)
    .to('out', Produced.with(S, L));
  const driver = new TopologyTestDriver(builder.build(), { applicationId: 'errors', ...config });
  return {
    driver,
    input: driver.createInputTopic('in', S, B),
    output: driver.createOutputTopic('out', S, L),
  };
}

describe('a source record whose value fails to deserialize', () => {
  it('default handler (logAndFail): SerdeError naming topic, partition and offset', async () => {
    const { driver, input, output } = longPipeline();
    await input.pipeInput('good', long(1), 100);
    const err = await errorOf(() => input.pipeInput('bad', Buffer.from([1, 2, 3]), 101));
    expect(err).toBeInstanceOf(SerdeError);
    expect(err).toBeInstanceOf(StreamsError);
    const e = err as SerdeError;
    expect(e.code).toBe('SERDE_ERROR');
    expect(e.part).toBe('value');
    expect(e.location).toMatchObject({ topic: 'in', partition: 0, offset: 1 });
    expect(e.message).toMatch(/^Failed to deserialize the record value at topic 'in', partition 0, offset 1: /);
    expect(e.message).toContain('LongDeserializer is not 8 (got 3 bytes)');
    expect(e.message).toMatch(/deserializationExceptionHandler/);
    expect(e.cause).toBeInstanceOf(Error);
    expect(output.readKeyValuesToList()).toEqual([{ key: 'good', value: 10 }]);
    expect(driver.metrics().skippedRecords).toBe(0);
  });

  it('a bad key names the key part', async () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(Serdes.Integer(), L)).to('out', Produced.with(Serdes.Integer(), L));
    const driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', B, L);
    const e = (await errorOf(() => input.pipeInput(Buffer.from([0, 1]), 5, 1))) as SerdeError;
    expect(e).toBeInstanceOf(SerdeError);
    expect(e.part).toBe('key');
    expect(e.message).toMatch(/^Failed to deserialize the record key at topic 'in', partition 0, offset 0: .*IntegerDeserializer is not 4 \(got 2 bytes\)/);
  });

  it("'logAndContinue': the record is skipped and counted, later records still flow", async () => {
    const warnings: string[] = [];
    const logger = { info() {}, warn: (m: string) => warnings.push(m), error() {} };
    const { driver, input, output } = longPipeline({ deserializationExceptionHandler: 'logAndContinue', logger });
    await input.pipeInput('a', long(1), 1);
    await input.pipeInput('bad', Buffer.from([1, 2, 3]), 2);
    await input.pipeInput('b', long(2), 3);
    await input.pipeInput('bad2', Buffer.alloc(9), 4);
    await input.pipeInput('c', long(3), 5);
    expect(output.readKeyValuesToList()).toEqual([
      { key: 'a', value: 10 },
      { key: 'b', value: 20 },
      { key: 'c', value: 30 },
    ]);
    expect(driver.metrics()).toMatchObject({ skippedRecords: 2, processedRecords: 3 });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/offset 1/);
    expect(warnings[1]).toMatch(/offset 3/);
  });

  it('{ deadLetterTopic }: the raw record lands on the DLQ with __streams.errors.* headers', async () => {
    const infos: string[] = [];
    const logger = { info: (m: string) => void infos.push(m), warn: () => undefined, error: () => undefined };
    const { driver, input, output } = longPipeline({ deserializationExceptionHandler: { deadLetterTopic: 'dlq' }, logger });
    const dlq = driver.createOutputTopic('dlq', B, B);
    await input.pipeInput('a', long(1), 1);
    await input.pipeInput({ key: 'bad', value: Buffer.from([7, 8, 9]), timestamp: 42, headers: { trace: Buffer.from('t-1') } });
    await input.pipeInput('b', long(2), 3);
    expect(output.readKeyValuesToList()).toEqual([
      { key: 'a', value: 10 },
      { key: 'b', value: 20 },
    ]);
    expect(driver.metrics().skippedRecords).toBe(1);
    // the driver captures a send at once: the dead letter is acknowledged and logged as sent
    expect(infos.filter((m) => /^Sent /.test(m))).toHaveLength(1);
    const dead = dlq.readRecord();
    expect(dlq.isEmpty()).toBe(true);
    expect(dead.key).toEqual(Buffer.from('bad'));
    expect(dead.value).toEqual(Buffer.from([7, 8, 9]));
    expect(dead.timestamp).toBe(42);
    const h = Object.fromEntries(Object.entries(dead.headers).map(([k, v]) => [k, v.toString()]));
    expect(h['trace']).toBe('t-1');
    expect(h['__streams.errors.exception']).toBe('Error');
    expect(h['__streams.errors.message']).toMatch(/^Failed to deserialize the record value at topic 'in', partition 0, offset 1/);
    expect(h['__streams.errors.stacktrace']).toContain('LongDeserializer');
    expect(h['__streams.errors.topic']).toBe('in');
    expect(h['__streams.errors.partition']).toBe('0');
    expect(h['__streams.errors.offset']).toBe('1');
  });

  it('a handler function decides per record and sees the SerdeError and the raw record', async () => {
    const seen: { offset: number; value: Buffer | null; error: unknown }[] = [];
    const { input, output } = longPipeline({
      deserializationExceptionHandler: (error, record) => {
        seen.push({ offset: record.offset, value: record.value, error });
        return record.value!.length === 3 ? 'continue' : 'fail';
      },
    });
    await input.pipeInput('bad', Buffer.from([1, 2, 3]), 1);
    await input.pipeInput('a', long(5), 2);
    const e = await errorOf(() => input.pipeInput('worse', Buffer.from([1]), 3));
    expect(e).toBeInstanceOf(SerdeError);
    expect(seen.map((s) => s.offset)).toEqual([0, 2]);
    expect(seen[0]!.error).toBeInstanceOf(SerdeError);
    expect(seen[0]!.value).toEqual(Buffer.from([1, 2, 3]));
    expect(output.readKeyValuesToList()).toEqual([{ key: 'a', value: 50 }]);
  });
});

describe('a user function that throws', () => {
  function throwingPipeline(config: TestDriverConfig = {}) {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, L))
      .mapValues((v) => {
        if (v < 0) throw new RangeError(`negative: ${v}`);
        return v + 1;
      })
      .to('out', Produced.with(S, L));
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'errors', ...config });
    return { driver, input: driver.createInputTopic('in', S, L), output: driver.createOutputTopic('out', S, L) };
  }

  it('ProcessingError names the processor node and the record topic/partition/offset', async () => {
    const { input, output } = throwingPipeline();
    await input.pipeInput('a', 1, 10);
    await input.pipeInput('b', 2, 11);
    const err = await errorOf(() => input.pipeInput('c', -5, 12));
    expect(err).toBeInstanceOf(ProcessingError);
    const e = err as ProcessingError;
    expect(e.code).toBe('PROCESSING_ERROR');
    expect(e.node).toBe('KSTREAM-MAPVALUES-0000000001');
    expect(e.location).toMatchObject({ topic: 'in', partition: 0, offset: 2, timestamp: 12 });
    expect(e.message).toBe(
      "Processor 'KSTREAM-MAPVALUES-0000000001' failed on the record from topic 'in', partition 0, offset 2 (timestamp 12): " +
        'RangeError: negative: -5. Fix the function or configure a processingExceptionHandler.',
    );
    expect(e.cause).toBeInstanceOf(RangeError);
    expect(output.readValuesToList()).toEqual([2, 3]);
  });

  it("processingExceptionHandler 'logAndContinue' skips and counts the record", async () => {
    const { driver, input, output } = throwingPipeline({ processingExceptionHandler: 'logAndContinue' });
    await input.pipeKeyValueList([
      { key: 'a', value: 1 },
      { key: 'b', value: -1 },
      { key: 'c', value: 3 },
    ]);
    expect(output.readKeyValuesToList()).toEqual([
      { key: 'a', value: 2 },
      { key: 'c', value: 4 },
    ]);
    expect(driver.metrics()).toMatchObject({ skippedRecords: 1, processedRecords: 2 });
  });

  it('processingExceptionHandler { deadLetterTopic } writes the input record and the error to the DLQ', async () => {
    const { driver, input, output } = throwingPipeline({ processingExceptionHandler: { deadLetterTopic: 'proc-dlq' } });
    await input.pipeInput('x', -7, 99);
    await input.pipeInput('y', 7, 100);
    expect(output.readKeyValuesToList()).toEqual([{ key: 'y', value: 8 }]);
    const dead = driver.createOutputTopic('proc-dlq', S, L).readRecordsToList();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ key: 'x', value: -7, timestamp: 99 });
    expect(dead[0]!.headers['__streams.errors.exception']!.toString()).toBe('RangeError');
    expect(dead[0]!.headers['__streams.errors.message']!.toString()).toMatch(/^Processor 'KSTREAM-MAPVALUES-0000000001' failed/);
    expect(dead[0]!.headers['__streams.errors.offset']!.toString()).toBe('0');
  });

  it('a throwing predicate or topic-name extractor is a ProcessingError naming that node', async () => {
    const builder = new StreamsBuilder();
    const s = builder.stream('in', Consumed.with(S, L));
    s.filter((k) => {
      if (k === 'boom') throw new Error('predicate failed');
      return true;
    }).to((k) => {
      if (k === 'nowhere') throw new Error('no topic');
      return `out-${k}`;
    }, Produced.with(S, L));
    const driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('in', S, L);
    const e1 = (await errorOf(() => input.pipeInput('boom', 1, 1))) as ProcessingError;
    expect(e1).toBeInstanceOf(ProcessingError);
    expect(e1.node).toBe('KSTREAM-FILTER-0000000001');
    expect(e1.message).toContain('Error: predicate failed');
    const e2 = (await errorOf(() => input.pipeInput('nowhere', 1, 2))) as ProcessingError;
    expect(e2).toBeInstanceOf(ProcessingError);
    expect(e2.node).toBe('KSTREAM-SINK-0000000002');
    expect(e2.location).toMatchObject({ topic: 'in', offset: 1 });
  });

  function fractionPipeline(config: TestDriverConfig = {}) {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, L))
      .mapValues((v) => (v % 2 === 0 ? v : v + 0.5)) // odd values become fractions: LongSerializer rejects them
      .to('out', Produced.with(S, L));
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'errors', ...config });
    return { driver, input: driver.createInputTopic('in', S, L), output: driver.createOutputTopic('out', S, L) };
  }

  it('a value the sink serde cannot serialize is a SerdeError naming the sink, output topic and side, pointing at productionExceptionHandler', async () => {
    const { driver, input } = fractionPipeline();
    const e = (await errorOf(() => input.pipeInput('k', 1, 1))) as SerdeError;
    expect(e).toBeInstanceOf(SerdeError);
    expect(e.part).toBe('value');
    expect(e.origin).toBe('VALUE');
    expect(e.direction).toBe('serialize');
    expect(e.node).toBe('KSTREAM-SINK-0000000002');
    expect(e.record).toMatchObject({ topic: 'out', key: 'k', value: 1.5, timestamp: 1 });
    expect(e.message).toMatch(
      /^Sink 'KSTREAM-SINK-0000000002' failed to serialize the record value for topic 'out' \(input record from topic 'in', partition 0, offset 0\): RangeError: /,
    );
    expect(e.message).toMatch(/configure a productionExceptionHandler \('logAndContinue'/);
    expect(e.message).not.toMatch(/deserializationExceptionHandler|\.\./);
    expect(driver.metrics().skippedRecords).toBe(0);
  });

  it("productionExceptionHandler 'logAndContinue': the output that cannot be serialized is dropped and counted", async () => {
    const warnings: string[] = [];
    const logger = { info() {}, warn: (m: string) => warnings.push(m), error() {} };
    const { driver, input, output } = fractionPipeline({ productionExceptionHandler: 'logAndContinue', logger });
    await input.pipeKeyValueList([1, 2, 3, 4].map((v) => ({ key: `k${v}`, value: v })));
    expect(output.readKeyValuesToList()).toEqual([
      { key: 'k2', value: 2 },
      { key: 'k4', value: 4 },
    ]);
    expect(driver.metrics()).toMatchObject({ skippedRecords: 2, processedRecords: 4 });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/Sink 'KSTREAM-SINK-0000000002' failed to serialize the record value for topic 'out'/);
  });

  it('a productionExceptionHandler function sees the SerdeError and the unserialized record, and decides', async () => {
    const seen: { origin: string; record: ProductionRecord }[] = [];
    const { input, output } = fractionPipeline({
      productionExceptionHandler: (error, record) => {
        seen.push({ origin: (error as SerdeError).origin, record });
        return record.key === 'stop' ? 'fail' : 'continue';
      },
    });
    await input.pipeInput('a', 1, 10);
    await input.pipeInput('b', 2, 11);
    const e = await errorOf(() => input.pipeInput('stop', 3, 12));
    expect(e).toBeInstanceOf(SerdeError);
    expect(seen).toEqual([
      { origin: 'VALUE', record: { topic: 'out', key: 'a', value: 1.5, timestamp: 10, headers: {} } },
      { origin: 'VALUE', record: { topic: 'out', key: 'stop', value: 3.5, timestamp: 12, headers: {} } },
    ]);
    expect(output.readKeyValuesToList()).toEqual([{ key: 'b', value: 2 }]);
  });

  it('a productionExceptionHandler that throws or answers something else is a fatal typed error', async () => {
    const throwing = fractionPipeline({
      productionExceptionHandler: () => {
        throw new Error('handler bug');
      },
    });
    const e1 = (await errorOf(() => throwing.input.pipeInput('a', 1, 1))) as StreamsError;
    expect(e1).toBeInstanceOf(StreamsError);
    expect(e1.code).toBe('PRODUCTION_HANDLER_FAILED');
    expect(e1.message).toMatch(/^The productionExceptionHandler threw while handling a failed record for topic 'out': Error: handler bug/);
    const odd = fractionPipeline({ productionExceptionHandler: () => 'skip' as never });
    const e2 = (await errorOf(() => odd.input.pipeInput('a', 1, 1))) as StreamsError;
    expect(e2.code).toBe('PRODUCTION_HANDLER_FAILED');
    expect(e2.message).toMatch(/must return 'continue' or 'fail', but returned skip/);
  });
});

describe('missing serdes', () => {
  it('a source without serdes and no default serde fails at driver construction with a ConfigError', () => {
    const topology = new Topology().addSource('src', 'in').addSink('sink', 'out', 'src');
    let err: unknown;
    try {
      new TopologyTestDriver(topology);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(
      "Source 'src' (in) key has no serde: pass one (Consumed.with / Produced.with / options of addSource/addSink) or set defaultKeySerde/defaultValueSerde in the config.",
    );
  });

  it('defaultKeySerde / defaultValueSerde fill in', async () => {
    const topology = new Topology().addSource('src', 'in').addSink('sink', 'out', 'src');
    const driver = new TopologyTestDriver(topology, { defaultKeySerde: S, defaultValueSerde: L });
    await driver.createInputTopic('in', S, L).pipeInput('k', 9, 1);
    expect(driver.createOutputTopic('out', S, L).readKeyValue()).toEqual({ key: 'k', value: 9 });
  });
});
