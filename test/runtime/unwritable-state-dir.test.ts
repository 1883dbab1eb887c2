/**
 * An instance whose store directory cannot be written (issue 8, finding 9) stops with a typed fatal error naming
 * the directory and leaves the store as it was, even with onCorruptStateDir 'rebuild' (the default): an unwritable
 * directory is not a corrupt one. (Tests run as root: `chattr +i` makes the directory immutable.)
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StateDirectoryAccessError } from '../../src/index.js';
import { Harness, countSequences, countTopology, tempStateDir, waitFor } from './helpers.js';

const h = new Harness();
const locked: string[] = [];
const asRoot = process.getuid?.() === 0;
afterEach(async () => {
  for (const p of locked.splice(0)) execFileSync(asRoot ? 'chattr' : 'chmod', asRoot ? ['-R', '-i', p] : ['-R', 'u+w', p]);
  await h.closeAll();
});

function makeUnwritable(path: string): void {
  locked.push(path);
  execFileSync(asRoot ? 'chattr' : 'chmod', asRoot ? ['-R', '+i', path] : ['-R', 'a-w', path]);
}

/** The error itself or the first StateDirectoryAccessError among its causes. */
function accessErrorIn(e: unknown): StateDirectoryAccessError | undefined {
  for (let x = e; x instanceof Error; x = x.cause) if (x instanceof StateDirectoryAccessError) return x;
  return undefined;
}

describe('a store directory that cannot be written', () => {
  it("stops the instance with StateDirectoryAccessError under onCorruptStateDir 'rebuild' and deletes nothing", async () => {
    const cluster = h.cluster();
    await cluster.createTopic('in', { partitions: 1 });
    await cluster.createTopic('out', { partitions: 1 });
    const stateDir = tempStateDir('unwritable');
    const first = h.app(countTopology(), { applicationId: 'ro', cluster, stateDir, commitIntervalMs: 50 });
    await first.start();
    await cluster.produce('in', [{ key: Buffer.from('a'), value: Buffer.from('v') }]);
    await waitFor(async () => (await countSequences(cluster, 'out', 'read_uncommitted')).has('a'), 10_000, 'the first count');
    await first.close();

    const storeDir = join(stateDir, '0', '0_0', 'counts') // <stateDir>/<thread>/<task>/<store>;
    const files = readdirSync(join(storeDir, 'rocksdb')).sort();
    makeUnwritable(storeDir);
    const app = h.app(countTopology(), { applicationId: 'ro', cluster, stateDir, commitIntervalMs: 50, onCorruptStateDir: 'rebuild' });
    const errors: unknown[] = [];
    app.setUncaughtExceptionHandler((e) => {
      errors.push(e);
      return 'SHUTDOWN_CLIENT';
    });
    await app.start();
    await waitFor(() => errors.length > 0, 10_000, 'the uncaught error');
    const error = accessErrorIn(errors[0]);
    expect(error, String(errors[0])).toBeInstanceOf(StateDirectoryAccessError);
    expect(error!.retriable).toBe(false);
    expect(error!.message).toContain(storeDir);
    await waitFor(() => app.state === 'ERROR', 10_000, 'ERROR');
    expect(readdirSync(storeDir).sort()).toEqual(['rocksdb', 'sluice-store.json']);
    expect(readdirSync(join(storeDir, 'rocksdb')).sort()).toEqual(files);
  });
});
