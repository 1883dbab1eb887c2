import { afterEach, describe, expect, it } from 'vitest';
import { Consumed, Produced, StreamsBuilder } from '../../src/index.js';
import { Harness, S, tempStateDir, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.closeAll());

describe('Consumed.withOffsetResetPolicy', () => {
  it("'latest' skips what a source topic held before the application first started; other sources read from the beginning", async () => {
    const cluster = h.cluster();
    for (const t of ['live', 'history', 'out']) await cluster.createTopic(t, { partitions: 2 });
    const b = (s: string): Buffer => Buffer.from(s);
    await cluster.produce('live', [{ key: b('a'), value: b('live-before') }]);
    await cluster.produce('history', [{ key: b('a'), value: b('history-before') }]);
    const builder = new StreamsBuilder();
    builder.stream('live', Consumed.with(S, S).withOffsetResetPolicy('latest')).to('out', Produced.with(S, S));
    builder.stream('history', Consumed.with(S, S)).to('out', Produced.with(S, S));
    const app = h.app(builder.build(), { applicationId: 'resets', cluster, stateDir: tempStateDir(), commitIntervalMs: 50 });
    await app.start();
    await app.waitForState('RUNNING');
    await cluster.produce('live', [{ key: b('b'), value: b('live-after') }]);
    await waitFor(async () => (await cluster.readAll('out')).length >= 2, 10_000, 'two outputs');
    await new Promise((r) => setTimeout(r, 200)); // anything else would have arrived by now
    const out = (await cluster.readAll('out')).map((r) => r.value!.toString()).sort();
    expect(out).toEqual(['history-before', 'live-after']);
  });
});
