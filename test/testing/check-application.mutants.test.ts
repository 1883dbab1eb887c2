/**
 * checkApplication finds known runtime bugs (issue 9 acceptance): each bug that issue 8 fixed is re-introduced here,
 * in the test only (a spy on the runtime class whose fix removed it), and the property must fail within 50 runs with
 * a difference that names the bug's symptom. The same property with the runtime as it is must pass: the tool finds
 * the bug, not an application that fails anyway.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PropertyFailedError, checkApplication, type CheckApplicationResult, type CheckApplicationSpec } from '../../src/index.js';
import { TaskManager } from '../../src/runtime/task-manager.js';
import type { StateStoreContext, StoreRestorer } from '../../src/state/state-store.js';
import { TimeOrderedBufferStore } from '../../src/state/suppress/time-ordered-buffer-store.js';
import { suppressedCountSpec } from './suppressed-count-app.js';
import { wordCountSpec } from './word-count-app.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** The failure of a property expected to fail within `numRuns`. */
async function failureOf(spec: CheckApplicationSpec): Promise<NonNullable<PropertyFailedError['failure']>> {
  const error = await checkApplication(spec).then(
    (r: CheckApplicationResult) => new Error(`passed ${r.runs.length} runs: the re-introduced bug was not found`),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PropertyFailedError);
  const failure = (error as PropertyFailedError).failure!;
  // the path's first step is the index of the generated run that failed (later steps are shrinks)
  expect(Number(failure.path.split(':')[0])).toBeLessThan(spec.numRuns!);
  return failure;
}

/**
 * Before 1928f7c (issue 8 finding 3) the suppression buffer lived in processor memory: a task re-created after a
 * restart or a rebalance started with an empty buffer. Re-introduced: the buffer store's restorer applies none of
 * its changelog (it only moves its checkpoint), so what a task buffered before it moved is lost.
 */
function suppressBufferNotRestored(): void {
  const init = TimeOrderedBufferStore.prototype.init;
  vi.spyOn(TimeOrderedBufferStore.prototype, 'init').mockImplementation(function (this: TimeOrderedBufferStore<unknown, unknown>, context: StateStoreContext) {
    const forgetful = (restorer: StoreRestorer): StoreRestorer => ({ ...restorer, restore: (_records, lastOffset) => restorer.commit(lastOffset) });
    return init.call(this, { ...context, register: (store, restorer) => context.register(store, forgetful(restorer)) });
  });
}

/**
 * Before b29f622 the task manager ignored revocations: between a revocation and the next assignment it kept
 * treating the revoked partitions as its own, so a restoration completing in between resumed a partition the
 * consumer had given up (IllegalStateError 'Cannot resume ...: it is not assigned to this consumer'), and revoked
 * tasks kept processing. Re-introduced: TaskManager.partitionsRevoked does nothing.
 */
function revocationsIgnored(): void {
  vi.spyOn(TaskManager.prototype, 'partitionsRevoked').mockImplementation(() => undefined);
}

describe('checkApplication finds a re-introduced bug: the suppression buffer is not restored (1928f7c, issue 8 finding 3)', () => {
  const spec = suppressedCountSpec({ faults: { restart: true, joinLeave: true }, guarantee: 'exactly_once_v2', seed: 1, catchUpTimeoutMs: 3_000 });

  it('fails within 50 runs with a final result missing from the output', async () => {
    suppressBufferNotRestored();
    const failure = await failureOf({ ...spec, numRuns: 50, timeLimitMs: 25_000 });
    expect(failure.differences).toEqual({ finals: expect.stringMatching(/^key "[abc]@\d+", value #0: expected \d+, got \(none\)/) });
  }, 60_000);

  it('passes the same property without the mutation', async () => {
    const result = await checkApplication({ ...spec, numRuns: 15 });
    expect(result.runs).toHaveLength(15);
  }, 60_000);
});

describe('checkApplication finds a re-introduced bug: revoked partitions are not forgotten until the next assignment (b29f622)', () => {
  const spec = wordCountSpec({ faults: { rebalanceDuringRestore: true, joinLeave: true }, seed: 1, catchUpTimeoutMs: 3_000 });

  it('fails within 50 runs with an instance in ERROR that resumed a partition its consumer gave up', async () => {
    revocationsIgnored();
    const failure = await failureOf({ ...spec, numRuns: 50, timeLimitMs: 20_000 });
    expect(failure.differences?.sanity).toMatch(/IllegalStateError: Cannot resume [\w-]+: it is not assigned to this consumer/);
  }, 60_000);

  it('passes the same property without the mutation', async () => {
    const result = await checkApplication({ ...spec, numRuns: 10 });
    expect(result.runs).toHaveLength(10);
  }, 60_000);
});
