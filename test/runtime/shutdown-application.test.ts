import { afterEach, describe, expect, it } from 'vitest';
import { Consumed, Produced, StreamsBuilder } from '../../src/index.js';
import { Harness, S, tempStateDir, waitFor } from './helpers.js';

const h = new Harness();
afterEach(() => h.closeAll());

/** Upper-cases values; the value 'poison' makes the processor throw. */
function poisonTopology() {
  const builder = new StreamsBuilder();
  builder
    .stream('in', Consumed.with(S, S))
    .mapValues((v) => {
      if (v === 'poison') throw new Error('cannot digest poison');
      return v.toUpperCase();
    })
    .to('out', Produced.with(S, S));
  return builder.build();
}

describe('uncaught exception handler: SHUTDOWN_APPLICATION', () => {
  it('shuts down every instance of the application, not only the one that failed', async () => {
    const cluster = h.cluster();
    await cluster.createTopic('in', { partitions: 4 });
    await cluster.createTopic('out', { partitions: 4 });
    const options = { applicationId: 'poisoned', cluster, commitIntervalMs: 50, sessionTimeoutMs: 2000, heartbeatIntervalMs: 100 };
    const a = h.app(poisonTopology(), { ...options, stateDir: tempStateDir('a') });
    const b = h.app(poisonTopology(), { ...options, stateDir: tempStateDir('b') });
    const handled: string[] = [];
    for (const [name, app] of [['a', a], ['b', b]] as const) {
      app.setUncaughtExceptionHandler(() => {
        handled.push(name);
        return 'SHUTDOWN_APPLICATION';
      });
    }
    await Promise.all([a.start(), b.start()]);
    await Promise.all([a.waitForState('RUNNING'), b.waitForState('RUNNING')]);
    await cluster.produce('in', [{ key: Buffer.from('k1'), value: Buffer.from('fine') }]);
    await waitFor(async () => (await cluster.readAll('out')).length === 1, 10_000, 'the healthy record');
    // one record poisons whichever instance owns its partition
    await cluster.produce('in', [{ key: Buffer.from('k2'), value: Buffer.from('poison') }]);
    await waitFor(() => a.state === 'ERROR' && b.state === 'ERROR', 15_000, 'both instances in ERROR');
    expect(handled).toHaveLength(1); // only the instance that hit the record ran its handler; the other was told
    expect((await cluster.readAll('out')).map((r) => r.value!.toString())).toEqual(['FINE']);
  });
});
