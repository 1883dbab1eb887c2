import { describe, expect, it } from 'vitest';
import {
  Branched,
  Consumed,
  Named,
  Produced,
  Repartitioned,
  Serdes,
  StreamsBuilder,
  Topology,
  type ProcessorContext,
  type ProcessorSupplier,
} from '../../src/index.js';

const S = Serdes.String();
const L = Serdes.Long();
const passThrough: ProcessorSupplier<unknown, unknown> = () => {
  let ctx!: ProcessorContext<unknown, unknown>;
  return {
    init(c) {
      ctx = c;
    },
    process(r) {
      ctx.forward(r);
    },
  };
};

/** Expected strings are written as Kafka Streams 4.x prints TopologyDescription#toString(). */
describe('Topology.describe() prints Kafka Streams\' TopologyDescription', () => {
  it('source -> filter -> mapValues -> sink', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, L))
      .filter((_k, v) => v > 0)
      .mapValues((v) => v * 2)
      .to('out', Produced.with(S, L));
    expect(builder.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [in])\n' +
        '      --> KSTREAM-FILTER-0000000001\n' +
        '    Processor: KSTREAM-FILTER-0000000001 (stores: [])\n' +
        '      --> KSTREAM-MAPVALUES-0000000002\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-MAPVALUES-0000000002 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000003\n' +
        '      <-- KSTREAM-FILTER-0000000001\n' +
        '    Sink: KSTREAM-SINK-0000000003 (topic: out)\n' +
        '      <-- KSTREAM-MAPVALUES-0000000002\n' +
        '\n',
    );
  });

  it('split() with a branch and a default branch to two sinks', () => {
    const builder = new StreamsBuilder();
    const branches = builder
      .stream('in', Consumed.with(S, L))
      .split()
      .branch((_k, v) => v > 0)
      .defaultBranch();
    // keys are the branch node names, as Kafka Streams' BranchedKStreamImpl puts them: splitter name + index
    expect([...branches.keys()]).toEqual(['KSTREAM-BRANCH-00000000011', 'KSTREAM-BRANCH-00000000010']);
    branches.get('KSTREAM-BRANCH-00000000011')!.to('positive');
    branches.get('KSTREAM-BRANCH-00000000010')!.to('other');
    expect(builder.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [in])\n' +
        '      --> KSTREAM-BRANCH-0000000001\n' +
        '    Processor: KSTREAM-BRANCH-0000000001 (stores: [])\n' +
        '      --> KSTREAM-BRANCH-00000000010, KSTREAM-BRANCH-00000000011\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-BRANCH-00000000010 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000005\n' +
        '      <-- KSTREAM-BRANCH-0000000001\n' +
        '    Processor: KSTREAM-BRANCH-00000000011 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000004\n' +
        '      <-- KSTREAM-BRANCH-0000000001\n' +
        '    Sink: KSTREAM-SINK-0000000004 (topic: positive)\n' +
        '      <-- KSTREAM-BRANCH-00000000011\n' +
        '    Sink: KSTREAM-SINK-0000000005 (topic: other)\n' +
        '      <-- KSTREAM-BRANCH-00000000010\n' +
        '\n',
    );
  });

  it('split() with two predicate branches consumed in place (sinks burn indices between branches)', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, L))
      .split()
      .branch((_k, v) => v > 0, Branched.withConsumer((s) => s.to('positive')))
      .branch((_k, v) => v < 0, Branched.withConsumer((s) => s.to('negative')))
      .noDefaultBranch();
    expect(builder.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [in])\n' +
        '      --> KSTREAM-BRANCH-0000000001\n' +
        '    Processor: KSTREAM-BRANCH-0000000001 (stores: [])\n' +
        '      --> KSTREAM-BRANCH-00000000011, KSTREAM-BRANCH-00000000012\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-BRANCH-00000000011 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000003\n' +
        '      <-- KSTREAM-BRANCH-0000000001\n' +
        '    Processor: KSTREAM-BRANCH-00000000012 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000005\n' +
        '      <-- KSTREAM-BRANCH-0000000001\n' +
        '    Sink: KSTREAM-SINK-0000000003 (topic: positive)\n' +
        '      <-- KSTREAM-BRANCH-00000000011\n' +
        '    Sink: KSTREAM-SINK-0000000005 (topic: negative)\n' +
        '      <-- KSTREAM-BRANCH-00000000012\n' +
        '\n',
    );
  });

  it('orders successors, like nodes, by bigger sub-tree first, then by name', () => {
    const builder = new StreamsBuilder();
    const branches = builder
      .stream('in', Consumed.with(S, L))
      .split()
      .branch((_k, v) => v > 0)
      .defaultBranch();
    branches.get('KSTREAM-BRANCH-00000000011')!.to('pos');
    branches.get('KSTREAM-BRANCH-00000000010')!.mapValues((v) => v).to('other');
    expect(builder.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [in])\n' +
        '      --> KSTREAM-BRANCH-0000000001\n' +
        '    Processor: KSTREAM-BRANCH-0000000001 (stores: [])\n' +
        '      --> KSTREAM-BRANCH-00000000010, KSTREAM-BRANCH-00000000011\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-BRANCH-00000000010 (stores: [])\n' +
        '      --> KSTREAM-MAPVALUES-0000000005\n' +
        '      <-- KSTREAM-BRANCH-0000000001\n' +
        '    Processor: KSTREAM-BRANCH-00000000011 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000004\n' +
        '      <-- KSTREAM-BRANCH-0000000001\n' +
        '    Processor: KSTREAM-MAPVALUES-0000000005 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000006\n' +
        '      <-- KSTREAM-BRANCH-00000000010\n' +
        '    Sink: KSTREAM-SINK-0000000004 (topic: pos)\n' +
        '      <-- KSTREAM-BRANCH-00000000011\n' +
        '    Sink: KSTREAM-SINK-0000000006 (topic: other)\n' +
        '      <-- KSTREAM-MAPVALUES-0000000005\n' +
        '\n',
    );
  });

  it('repartition() splits the topology into two sub-topologies through the internal topic', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, L))
      .filter((_k, v) => v > 0)
      .repartition()
      .to('out');
    expect(builder.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [in])\n' +
        '      --> KSTREAM-FILTER-0000000001\n' +
        '    Processor: KSTREAM-FILTER-0000000001 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000003\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Sink: KSTREAM-SINK-0000000003 (topic: KSTREAM-REPARTITION-0000000002-repartition)\n' +
        '      <-- KSTREAM-FILTER-0000000001\n' +
        '\n' +
        '  Sub-topology: 1\n' +
        '    Source: KSTREAM-SOURCE-0000000005 (topics: [KSTREAM-REPARTITION-0000000002-repartition])\n' +
        '      --> KSTREAM-SINK-0000000006\n' +
        '    Sink: KSTREAM-SINK-0000000006 (topic: out)\n' +
        '      <-- KSTREAM-SOURCE-0000000005\n' +
        '\n',
    );
  });

  it('a named repartition names its topic, sink and source after the name and still burns three indices', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, L))
      .repartition(Repartitioned.as('by-user'))
      .mapValues((v) => v)
      .to('out');
    expect(builder.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [in])\n' +
        '      --> by-user-repartition-sink\n' +
        '    Sink: by-user-repartition-sink (topic: by-user-repartition)\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '\n' +
        '  Sub-topology: 1\n' +
        '    Source: by-user-repartition-source (topics: [by-user-repartition])\n' +
        '      --> KSTREAM-MAPVALUES-0000000004\n' +
        '    Processor: KSTREAM-MAPVALUES-0000000004 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000005\n' +
        '      <-- by-user-repartition-source\n' +
        '    Sink: KSTREAM-SINK-0000000005 (topic: out)\n' +
        '      <-- KSTREAM-MAPVALUES-0000000004\n' +
        '\n',
    );
  });

  it('Named / Consumed.as / Produced.as override node names and do not burn indices', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, L).withName('orders-source'))
      .filter((_k, v) => v > 0, Named.as('positive-only'))
      .mapValues((v) => v + 1)
      .to('out', Produced.with(S, L).withName('orders-sink'));
    expect(builder.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: orders-source (topics: [in])\n' +
        '      --> positive-only\n' +
        '    Processor: positive-only (stores: [])\n' +
        '      --> KSTREAM-MAPVALUES-0000000000\n' +
        '      <-- orders-source\n' +
        '    Processor: KSTREAM-MAPVALUES-0000000000 (stores: [])\n' +
        '      --> orders-sink\n' +
        '      <-- positive-only\n' +
        '    Sink: orders-sink (topic: out)\n' +
        '      <-- KSTREAM-MAPVALUES-0000000000\n' +
        '\n',
    );
  });

  it('split(Named) + Branched.as name the splitter, the branch children and the result map keys', () => {
    const builder = new StreamsBuilder();
    const branches = builder
      .stream('in', Consumed.with(S, L))
      .split(Named.as('sign-'))
      .branch((_k, v) => v > 0, Branched.as('pos'))
      .branch((_k, v) => v < 0)
      .defaultBranch(Branched.as('zero'));
    expect([...branches.keys()]).toEqual(['sign-pos', 'sign-2', 'sign-zero']);
    branches.get('sign-pos')!.to('p');
    branches.get('sign-2')!.to('n');
    branches.get('sign-zero')!.to('z');
    const description = builder.build().describe();
    const names = description.subtopologies[0]!.nodes.map((n) => n.name);
    expect(names).toEqual([
      'KSTREAM-SOURCE-0000000000',
      'sign-',
      'sign-2',
      'sign-pos',
      'sign-zero',
      // the three branch children burned indices 1..3
      'KSTREAM-SINK-0000000004',
      'KSTREAM-SINK-0000000005',
      'KSTREAM-SINK-0000000006',
    ]);
    expect(description.subtopologies[0]!.nodes.find((n) => n.name === 'sign-')!.successors).toEqual(['sign-2', 'sign-pos', 'sign-zero']);
  });

  it('multi-topic sources, pattern sources, merge and topic-name extractors', () => {
    const builder = new StreamsBuilder();
    const a = builder.stream(['a1', 'a2'], Consumed.with(S, L));
    const b = builder.stream(/b-.*/, Consumed.with(S, L));
    a.merge(b).to((k) => `out-${k}`, Produced.with(S, L));
    expect(builder.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [a1, a2])\n' +
        '      --> KSTREAM-MERGE-0000000002\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topic pattern: b-.*)\n' +
        '      --> KSTREAM-MERGE-0000000002\n' +
        '    Processor: KSTREAM-MERGE-0000000002 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000003\n' +
        '      <-- KSTREAM-SOURCE-0000000000, KSTREAM-SOURCE-0000000001\n' +
        '    Sink: KSTREAM-SINK-0000000003 (extractor class: TopicNameExtractor)\n' +
        '      <-- KSTREAM-MERGE-0000000002\n' +
        '\n',
    );
  });

  it('Processor API topology: unconnected parts are separate sub-topologies, numbered by sorted source names', () => {
    const topology = new Topology()
      .addSource('z-source', 'z')
      .addProcessor('z-proc', passThrough, 'z-source')
      .addSink('z-sink', 'z-out', 'z-proc')
      .addSource('a-source', 'a')
      .addSink('a-sink', 'a-out', 'a-source');
    expect(topology.describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: a-source (topics: [a])\n' +
        '      --> a-sink\n' +
        '    Sink: a-sink (topic: a-out)\n' +
        '      <-- a-source\n' +
        '\n' +
        '  Sub-topology: 1\n' +
        '    Source: z-source (topics: [z])\n' +
        '      --> z-proc\n' +
        '    Processor: z-proc (stores: [])\n' +
        '      --> z-sink\n' +
        '      <-- z-source\n' +
        '    Sink: z-sink (topic: z-out)\n' +
        '      <-- z-proc\n' +
        '\n',
    );
  });

  it('the structured description matches the text', () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, L)).repartition().to('out');
    const d = builder.build().describe();
    expect(d.subtopologies.map((s) => s.id)).toEqual([0, 1]);
    const [first, second] = d.subtopologies;
    expect(first!.nodes).toEqual([
      { type: 'source', name: 'KSTREAM-SOURCE-0000000000', predecessors: [], successors: ['KSTREAM-SINK-0000000002'], topics: ['in'] },
      {
        type: 'sink',
        name: 'KSTREAM-SINK-0000000002',
        predecessors: ['KSTREAM-SOURCE-0000000000'],
        successors: [],
        topic: 'KSTREAM-REPARTITION-0000000001-repartition',
      },
    ]);
    expect(second!.nodes.map((n) => [n.type, n.name])).toEqual([
      ['source', 'KSTREAM-SOURCE-0000000004'],
      ['sink', 'KSTREAM-SINK-0000000005'],
    ]);
  });
});
