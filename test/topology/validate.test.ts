import { describe, expect, it } from 'vitest';
import {
  Consumed,
  Named,
  Serdes,
  StreamsBuilder,
  StreamsError,
  Topology,
  TopologyError,
  TopologyTestDriver,
  type ProcessorSupplier,
} from '../../src/index.js';

const S = Serdes.String();
const noop: ProcessorSupplier<string, string> = () => ({ process() {} });

/** Runs fn, expects a TopologyError (code INVALID_TOPOLOGY) and returns its message. */
function topologyErrorOf(fn: () => unknown): string {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(TopologyError);
  expect(caught).toBeInstanceOf(StreamsError);
  const err = caught as TopologyError;
  expect(err.code).toBe('INVALID_TOPOLOGY');
  expect(err.retriable).toBe(false);
  expect(err.name).toBe('TopologyError');
  return err.message;
}

describe('invalid DSL topologies fail at build() with a TopologyError saying what to fix', () => {
  it('no sources', () => {
    const message = topologyErrorOf(() => new StreamsBuilder().build());
    expect(message).toMatch(/has no source/);
    expect(message).toMatch(/builder\.stream\(/);
  });

  it('duplicate processor names (two Named.as("x"))', () => {
    const builder = new StreamsBuilder();
    const s = builder.stream('in', Consumed.with(S, S));
    s.filter(() => true, Named.as('x')).mapValues((v) => v, Named.as('x')).to('out');
    const message = topologyErrorOf(() => builder.build());
    expect(message).toContain("Node name 'x' is used twice");
    expect(message).toMatch(/Named\.as/);
  });

  it('a processor using a store that is not in the topology', () => {
    const builder = new StreamsBuilder();
    builder.stream<string, string>('in', Consumed.with(S, S)).process(noop, 'missing');
    const message = topologyErrorOf(() => builder.build());
    expect(message).toContain("Processor 'KSTREAM-PROCESSOR-0000000001' uses state store 'missing'");
    expect(message).toMatch(/not in the topology/);
    expect(message).toMatch(/addStateStore/);
  });

  it('a sink cycle between two topics', () => {
    const builder = new StreamsBuilder();
    builder.stream('a', Consumed.with(S, S)).to('b');
    builder.stream('b', Consumed.with(S, S)).to('a');
    const message = topologyErrorOf(() => builder.build());
    expect(message).toMatch(/^Sink cycle: records written to topic '[ab]' flow back into it \((a -> b -> a|b -> a -> b)\)/);
    expect(message).toMatch(/Write to a different topic/);
  });

  it('a sink writing to its own source topic', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('loop', Consumed.with(S, S))
      .mapValues((v) => v)
      .to('loop');
    expect(topologyErrorOf(() => builder.build())).toContain("Sink cycle: records written to topic 'loop' flow back into it (loop -> loop)");
  });

  it('a topic read by two sources', () => {
    const builder = new StreamsBuilder();
    builder.stream('t', Consumed.with(S, S)).to('o1');
    builder.stream(['u', 't'], Consumed.with(S, S)).to('o2');
    const message = topologyErrorOf(() => builder.build());
    expect(message).toContain("Topic 't' is already read by source 'KSTREAM-SOURCE-0000000000'");
    expect(message).toMatch(/only one source node/);
  });

  it('build() twice on one builder', () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).to('out');
    builder.build();
    expect(topologyErrorOf(() => builder.build())).toMatch(/already called.*create a new builder/);
  });

  it('illegal names and empty topic lists are rejected where they are given', () => {
    expect(topologyErrorOf(() => Named.as('bad name!'))).toMatch(/Name 'bad name!' is illegal: use 1-249 characters/);
    expect(topologyErrorOf(() => Named.as(''))).toMatch(/is illegal/);
    expect(topologyErrorOf(() => new StreamsBuilder().stream([]))).toMatch(/needs at least one non-empty topic name/);
    const s = new StreamsBuilder().stream('in', Consumed.with(S, S));
    expect(topologyErrorOf(() => s.to(''))).toMatch(/needs a topic name/);
  });

  it('valid topologies build', () => {
    const builder = new StreamsBuilder();
    builder.stream('a', Consumed.with(S, S)).to('b');
    builder.stream('b', Consumed.with(S, S)).to('c');
    expect(() => builder.build()).not.toThrow();
  });
});

describe('invalid Processor API topologies fail at describe() / driver construction (or at the add call)', () => {
  it('no sources: describe() and the driver refuse it', () => {
    const topology = new Topology();
    expect(topologyErrorOf(() => topology.describe())).toMatch(/has no source.*topology\.addSource/);
    expect(topologyErrorOf(() => new TopologyTestDriver(topology))).toMatch(/has no source/);
  });

  it('sink cycle: describe() and the driver refuse it', () => {
    const topology = new Topology()
      .addSource('src-a', 'a')
      .addSink('sink-b', 'b', 'src-a')
      .addSource('src-b', 'b')
      .addProcessor('p', noop, 'src-b')
      .addSink('sink-a', 'a', 'p');
    expect(topologyErrorOf(() => topology.describe())).toMatch(/Sink cycle/);
    expect(topologyErrorOf(() => new TopologyTestDriver(topology))).toMatch(/Sink cycle/);
  });

  it('duplicate node names, unknown or sink parents, missing parents, duplicate source topics', () => {
    const t = new Topology().addSource('s', 'in').addSink('k', 'out', 's');
    expect(topologyErrorOf(() => t.addProcessor('s', noop, 's'))).toContain("Node name 's' is used twice");
    expect(topologyErrorOf(() => t.addProcessor('p', noop, 'nope'))).toContain("Parent 'nope' of 'p' is not in the topology");
    expect(topologyErrorOf(() => t.addProcessor('p', noop, 'k'))).toContain("Sink 'k' cannot be the parent of 'p'");
    expect(topologyErrorOf(() => t.addProcessor('p', noop))).toContain("processor 'p' needs at least one parent node");
    expect(topologyErrorOf(() => t.addSource('s2', ['x', 'in']))).toContain("Topic 'in' is already read by source 's'");
    expect(topologyErrorOf(() => t.addSource('s3', []))).toContain("Source 's3' needs at least one topic");
    expect(topologyErrorOf(() => t.addProcessor('q', 'not a function' as never, 's'))).toMatch(/needs a supplier function/);
    expect(topologyErrorOf(() => t.connectProcessorAndStateStores('k', 'nostore'))).toContain("uses state store 'nostore', which is not in the topology");
    // the failed calls left the topology usable
    expect(() => t.describe()).not.toThrow();
  });

  it('a supplier that does not return a processor fails when the driver creates the task', () => {
    const topology = new Topology().addSource('s', 'in', { keySerde: S, valueSerde: S }).addProcessor('p', (() => ({})) as never, 's');
    expect(topologyErrorOf(() => new TopologyTestDriver(topology))).toMatch(/supplier of processor 'p' must return a new object with a process\(record\) method/);
  });
});
