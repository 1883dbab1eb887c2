/**
 * checkApplication finds known runtime bugs (issue 9 acceptance): each bug that issue 8 fixed is re-introduced here,
 * in the test only (a spy on, or a subclass of, the runtime class whose fix removed it), and the property must fail
 * within 50 runs with a difference that names the bug's symptom. The same property with the runtime as it is must
 * pass: the tool finds the bug, not an application that fails anyway.
 *
 * A restoring task's fetched records processed twice (before 66dc89e) needs a rebalance while a task restores and
 * its input still has records: the 'slow restoration' fault (few records per restore poll) and a store without
 * caching (a changelog record per input record) make restorations last, and faults fire at their progress (the
 * executor samples it at every poll), not after the input is processed.
 *
 * Not here: a stale checkpoint trusted (before 58f6b70): every run has a fresh cluster and its own state dirs, so no
 * checkpoint can be ahead of its changelog.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PropertyFailedError, checkApplication, type CheckApplicationResult, type CheckApplicationSpec } from '../../src/index.js';
import { TaskManager, type InputPositions } from '../../src/runtime/task-manager.js';
import type { StateStoreContext, StoreRestorer } from '../../src/state/state-store.js';
import { TimeOrderedBufferStore } from '../../src/state/suppress/time-ordered-buffer-store.js';
import { keyCountSpec } from './key-count-app.js';
import { suppressedCountSpec } from './suppressed-count-app.js';
import { wordCountSpec } from './word-count-app.js';

/**
 * The task manager's constructor takes the main consumer's positioning (InputPositions) as an argument, so the
 * restoration bug is re-introduced by a subclass that hands its superclass a different one. The switch is a spied function so that
 * vi.restoreAllMocks() turns the mutation off as it does the spies.
 */
const mutation = vi.hoisted(() => ({ input: (input: InputPositions): InputPositions => input }));
vi.mock('../../src/runtime/task-manager.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/runtime/task-manager.js')>();
  class MutableTaskManager extends original.TaskManager {
    constructor(...args: ConstructorParameters<typeof original.TaskManager>) {
      const [topology, config, metadata, collector, reader, clock, stateDir, input, globalStores] = args;
      super(topology, config, metadata, collector, reader, clock, stateDir, mutation.input(input), globalStores);
    }
  }
  return { ...original, TaskManager: MutableTaskManager };
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** The failure of a property expected to fail within `numRuns` runs. */
async function failureOf(spec: CheckApplicationSpec, numRuns: number): Promise<NonNullable<PropertyFailedError['failure']>> {
  const error = await checkApplication({ ...spec, numRuns }).then(
    (r: CheckApplicationResult) => new Error(`passed ${r.runs.length} runs: the re-introduced bug was not found`),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PropertyFailedError);
  const failure = (error as PropertyFailedError).failure!;
  // the path's first step is the index of the generated run that failed (later steps are shrinks)
  expect(Number(failure.path.split(':')[0])).toBeLessThan(numRuns);
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

/**
 * Before 66dc89e (issue 8 finding 1) the task manager did not position the main consumer: a restoring task's input
 * partitions were fetched (and the records waited in its queue), and after a rebalance every partition continued
 * from the committed offset, so a kept task fetched what its queue already held once more. Re-introduced: the task
 * manager's pause, resume and seek of input partitions do nothing; rewind (to the committed offset, which the
 * consumer did by itself on every assignment) stays.
 */
function restoringInputNotPaused(): void {
  vi.spyOn(mutation, 'input').mockImplementation((input) => ({ pause: () => undefined, resume: () => undefined, seek: () => undefined, rewind: (tps) => input.rewind(tps) }));
}

/**
 * Runs `spec` with the bug re-introduced: it must fail within 50 runs. Then, without the mutation, the same seed must
 * pass at least `controlRuns` runs and every run up to the one that failed: the same generated cases.
 */
async function findsBug(spec: CheckApplicationSpec, reintroduce: () => void, controlRuns: number): Promise<NonNullable<PropertyFailedError['failure']>> {
  reintroduce();
  const failure = await failureOf(spec, 50);
  vi.restoreAllMocks();
  const runs = Math.max(controlRuns, Number(failure.path.split(':')[0]) + 1);
  const control = await checkApplication({ ...spec, numRuns: runs, timeLimitMs: undefined });
  expect(control.runs).toHaveLength(runs);
  return failure;
}

describe('checkApplication finds re-introduced runtime bugs within 50 runs, and passes without them', () => {
  it('the suppression buffer is not restored (before 1928f7c, issue 8 finding 3): a final result is missing', async () => {
    const spec = suppressedCountSpec({ faults: { restart: true, joinLeave: true }, seed: 1, catchUpTimeoutMs: 3_000, timeLimitMs: 25_000 });
    const failure = await findsBug(spec, suppressBufferNotRestored, 10);
    expect(failure.differences).toEqual({ finals: expect.stringMatching(/^key "[abc]@\d+", value #0: expected \d+, got \(none\)/) });
  }, 80_000);

  it('revoked partitions are not forgotten until the next assignment (before b29f622): an instance ends in ERROR resuming a partition it gave up', async () => {
    const spec = wordCountSpec({ faults: { rebalanceDuringRestore: true, joinLeave: true }, seed: 1, catchUpTimeoutMs: 3_000, timeLimitMs: 20_000 });
    const failure = await findsBug(spec, revocationsIgnored, 8);
    expect(failure.differences?.sanity).toMatch(/IllegalStateError: Cannot resume [\w-]+: it is not assigned to this consumer/);
  }, 80_000);

  it("a restoring task's input is not paused and kept tasks are not re-sought (before 66dc89e): records are counted twice", async () => {
    // slow restoration keeps moved tasks restoring while the other faults rebalance the group again
    const faults = { slowRestore: true, rebalanceDuringRestore: true, joinLeave: true, wipeState: true };
    // found at run 33 of 50 here: the time limit leaves room for 50 runs on a loaded machine (the whole suite)
    const spec = keyCountSpec({ faults, maxFaults: 6, seed: 1, catchUpTimeoutMs: 3_000, timeLimitMs: 60_000 });
    const failure = await findsBug(spec, restoringInputNotPaused, 8);
    const [, expected, got] = /^key "[a-f]": expected final value (\d+), got (\d+)$/.exec(failure.differences?.counts ?? '') ?? [];
    expect({ differences: failure.differences, overCount: Number(got) > Number(expected) }).toEqual({ differences: { counts: expect.any(String) }, overCount: true });
  }, 150_000);
});
