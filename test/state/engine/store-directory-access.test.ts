/**
 * A store directory that cannot be written (permissions, immutable files, a read-only file system) is not corrupt
 * (issue 8, finding 9): opening it fails with a typed, fatal StateDirectoryAccessError naming the directory, under
 * both onCorrupt modes, and deletes nothing. Only real corruption may wipe a store.
 *
 * Tests run as root, whom file modes do not stop: the directories are made immutable with `chattr +i` (as any
 * other user, read-only modes do the same).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { StateDirectoryAccessError } from '../../../src/errors.js';
import type { RocksDbEngine } from '../../../src/state/engine/rocksdb-engine.js';
import { MARKER_FILE, ROCKSDB_DIR, openStoreDirectory } from '../../../src/state/engine/store-directory.js';

const root = mkdtempSync(join(tmpdir(), 'sluice-store-access-'));
let n = 0;
const newPath = (): string => join(root, `store-${n++}`);

const isRoot = process.getuid?.() === 0;
const locked: string[] = [];

/** Makes `path` (and with `recursive`, everything under it) unwritable, even for root; undone in afterEach. */
function makeUnwritable(path: string, recursive = true): void {
  locked.push(path);
  if (isRoot) execFileSync('chattr', [...(recursive ? ['-R'] : []), '+i', path]);
  else execFileSync('chmod', [...(recursive ? ['-R'] : []), 'a-w', path]);
}

function undoUnwritable(path: string): void {
  if (isRoot) execFileSync('chattr', ['-R', '-i', path]);
  else execFileSync('chmod', ['-R', 'u+w', path]);
}

const opened: RocksDbEngine[] = [];
afterEach(async () => {
  for (const p of locked.splice(0)) undoUnwritable(p);
  for (const e of opened.splice(0)) await e.close();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A store directory holding k0..k4, closed. */
async function populated(): Promise<string> {
  const path = newPath();
  const { engine } = await openStoreDirectory(path, { storeName: 'counts', onCorrupt: 'fail' });
  for (let i = 0; i < 5; i++) await engine.write([{ type: 'put', key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) }]);
  await engine.close();
  return path;
}

/** Every file under `path` with its size (what "nothing was deleted" compares). */
function tree(path: string): string[] {
  const out: string[] = [];
  const walk = (p: string, rel: string): void => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      const full = join(p, e.name);
      if (e.isDirectory()) walk(full, `${rel}${e.name}/`);
      else out.push(`${rel}${e.name}:${statSync(full).size}`);
    }
  };
  walk(path, '');
  return out.sort();
}

async function accessFailure(path: string, onCorrupt: 'rebuild' | 'fail'): Promise<StateDirectoryAccessError> {
  const err = await openStoreDirectory(path, { storeName: 'counts', onCorrupt }).then(
    (r) => {
      opened.push(r.engine);
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StateDirectoryAccessError);
  const e = err as StateDirectoryAccessError;
  expect(e.code).toBe('STATE_DIR_ACCESS');
  expect(e.retriable).toBe(false);
  expect(e.store).toBe('counts');
  expect(e.directory.startsWith(path)).toBe(true);
  expect(e.message).toContain(e.directory);
  expect(e.message).toMatch(/cannot be read or written.*not wiped/);
  return e;
}

describe('openStoreDirectory on a directory it cannot write', () => {
  for (const onCorrupt of ['rebuild', 'fail'] as const) {
    for (const [what, target] of [
      ['the whole store directory', (p: string) => makeUnwritable(p)],
      ['its RocksDB directory alone', (p: string) => makeUnwritable(join(p, ROCKSDB_DIR), false)],
    ] as const) {
      it(`${onCorrupt}: ${what} unwritable -> typed fatal error, nothing deleted, the data intact once writable again`, async () => {
        const path = await populated();
        const before = tree(path);
        target(path);
        await accessFailure(path, onCorrupt);
        expect(tree(path)).toEqual(before);
        for (const p of locked.splice(0)) undoUnwritable(p);
        const reopened = await openStoreDirectory(path, { storeName: 'counts', onCorrupt: 'fail' });
        opened.push(reopened.engine);
        expect(reopened.rebuilt).toBe(false);
        expect((await reopened.engine.get(Buffer.from('k4')))?.toString()).toBe('v4');
      });
    }
  }

  it('rebuild never wipes a corrupt directory it could only partly delete: typed error, nothing deleted', async () => {
    const path = await populated();
    rmSync(join(path, MARKER_FILE)); // corrupt: data without a format marker
    const before = tree(path);
    makeUnwritable(join(path, ROCKSDB_DIR));
    await accessFailure(path, 'rebuild');
    expect(tree(path)).toEqual(before);
  });

  it('a new store under an unwritable parent: typed error naming the directory', async () => {
    const parent = newPath();
    mkdirSync(parent);
    writeFileSync(join(parent, 'keep'), 'x');
    makeUnwritable(parent);
    const e = await accessFailure(join(parent, 'store'), 'rebuild');
    expect(e.directory).toBe(join(parent, 'store'));
    expect(readdirSync(parent)).toEqual(['keep']);
  });
});
