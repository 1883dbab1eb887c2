import { describe, expect, it } from 'vitest';
import { PropertyFailedError, checkApplication } from '../../src/index.js';
import { wordCountSpec, wordCountTopology } from './word-count-app.js';

async function failureOf(p: Promise<unknown>): Promise<PropertyFailedError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PropertyFailedError);
  return error as PropertyFailedError;
}

describe('checkApplication', () => {
  it('passes a correct word count over 3 instances and 4 partitions, and reports each run', async () => {
    const result = await checkApplication(wordCountSpec({ faults: false, numRuns: 3, seed: 11 }));
    expect(result.runs).toHaveLength(3);
    for (const run of result.runs) {
      expect(run.differences).toEqual({});
      expect(run.durationMs).toBeGreaterThan(0);
    }
  });

  it('finds an off-by-one model with a seed, and { seed, path } replays the same failure, input, schedule and difference', async () => {
    const spec = wordCountSpec({ faults: false, offByOneOn: 'z', numRuns: 10, seed: 5 });
    const first = await failureOf(checkApplication(spec));
    const f = first.failure!;
    expect(f.seed).toBe(5);
    expect(f.differences).toEqual({ counts: expect.stringMatching(/^key "z": expected final value \d+, got \d+$/) });
    // shrunk to one record holding the word
    expect((f.counterexample as { inputs: { value: string }[][] }).inputs[0]).toEqual([expect.objectContaining({ value: 'z' })]);
    expect(f.differences!.counts).toBe('key "z": expected final value 2, got 1');

    const replay = await failureOf(checkApplication({ ...spec, seed: f.seed, path: f.path }));
    expect(replay.failure!.path).toBe(f.path);
    expect(replay.failure!.counterexample).toEqual(f.counterexample);
    expect(replay.failure!.schedule).toEqual(f.schedule);
    expect(replay.failure!.differences).toEqual(f.differences);
  });

  it('reports a failure with the seed, path, shrunk input, readable schedule, first difference per topic and a replay line', async () => {
    const e = await failureOf(checkApplication(wordCountSpec({ faults: { restart: true }, offByOneOn: 'x', numRuns: 5, seed: 3 })));
    const lines = e.message.split('\n');
    expect(lines[0]).toMatch(/^checkApplication failed after \d+ run\(s\) and \d+ shrink\(s\) \(seed 3, path "[\d:]+"\)\.$/);
    expect(lines[1]).toMatch(/^Counterexample inputs: \[\[\{"key":"[abcd]","value":"x","timestamp":\d+,"headers":\{\}\}\]\]$/);
    // the wrong model fails whatever the faults: the schedule shrinks away with the input
    expect(lines[2]).toBe('Fault schedule: none');
    expect(e.message).toContain('First difference per output topic:\n  counts: key "x": expected final value 2, got 1');
    expect(lines.at(-1)).toBe(`Replay with { seed: 3, path: "${e.failure!.path}" }.`);
    expect(e.failure!.schedule).toEqual([]);
  });
});

describe('checkApplication sanity checks', () => {
  it('report an instance that ends in ERROR, with its error', async () => {
    const spec = wordCountSpec({ faults: false, numRuns: 1, seed: 9, catchUpTimeoutMs: 1_500 });
    const e = await failureOf(
      checkApplication({
        ...spec,
        // every line fails: the instance that gets it stops in ERROR (the default handler shuts the client down)
        topology: (b) =>
          wordCountTopology(b, {
            onLine: () => {
              throw new Error('poison');
            },
          }),
      }),
    );
    expect(e.failure!.differences!.sanity).toMatch(/instance \d+(: | was ERROR: )\w*Error: .*poison/);
  });
});
