/**
 * Opens the on-disk directory of one persistent store, checking it before trusting it.
 *
 * Layout of `<path>`:
 *   sluice-store.json   format marker {"format": 1, "store": "<name>"}; written (atomically) before any data
 *   rocksdb/            the RocksDB database
 *
 * A directory whose marker is missing, unreadable, of another format or of another store, or whose database
 * cannot be opened (corrupt files), is never used as is: with onCorrupt 'fail' opening throws a StateStoreError
 * saying what is wrong and how to fix it; with 'rebuild' the directory is wiped and recreated empty and the
 * result says so (`rebuilt`, `reason`), so the caller restores the store from its changelog from scratch.
 * A directory locked by another open instance is never wiped: that throws (retriable) in both modes. Nor is one
 * that cannot be written (permissions, immutable files, a read-only file system): it is not corrupt, and wiping
 * it would stop half way; that throws a fatal StateDirectoryAccessError naming the directory, in both modes.
 */
import { constants } from 'node:fs';
import { access, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StateDirectoryAccessError, StateStoreError, describeCause } from '../../errors.js';
import { RocksDbEngine, isLockError } from './rocksdb-engine.js';
import type { RocksDbEngineOptions } from './rocksdb-engine.js';

export const STORE_FORMAT = 1;
export const MARKER_FILE = 'sluice-store.json';
export const ROCKSDB_DIR = 'rocksdb';

export interface OpenStoreDirectoryOptions {
  readonly storeName: string;
  readonly onCorrupt: 'rebuild' | 'fail';
  readonly engine?: RocksDbEngineOptions;
}

export interface OpenedStoreDirectory {
  /** The open engine over `<path>/rocksdb`. */
  readonly engine: RocksDbEngine;
  /** No usable store was there (new or empty directory): the store starts empty. */
  readonly created: boolean;
  /** The directory was unusable and has been wiped: restore the store from its changelog from scratch. */
  readonly rebuilt: boolean;
  /** Why the directory was rebuilt (what was wrong with it). */
  readonly reason?: string;
}

interface Marker {
  format: number;
  store: string;
}

export async function openStoreDirectory(path: string, options: OpenStoreDirectoryOptions): Promise<OpenedStoreDirectory> {
  const { storeName } = options;
  const problem = await inspect(path, storeName);
  if (problem === 'empty') {
    return { engine: await create(path, options), created: true, rebuilt: false };
  }
  if (problem === undefined) {
    const engine = new RocksDbEngine(storeName, join(path, ROCKSDB_DIR), options.engine);
    try {
      await engine.open();
      return { engine, created: false, rebuilt: false };
    } catch (err) {
      // Another live instance holds the directory: wiping it would destroy a store in use.
      if (isLockError(err)) throw err;
      const cause = err instanceof StateStoreError && err.cause !== undefined ? err.cause : err;
      if (isAccessError(cause)) throw accessError(storeName, join(path, ROCKSDB_DIR), cause);
      return recover(path, options, `cannot be opened as a RocksDB database (${describeCause(cause)})`, err);
    }
  }
  return recover(path, options, problem, undefined);
}

const ACCESS_CODES = new Set(['EACCES', 'EPERM', 'EROFS']);

/**
 * True when `err` (or a cause of it) is a permission or read-only failure: an errno code from node:fs, or the
 * strerror text in a RocksDB IO error (which reports them with code EIO).
 */
function isAccessError(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (ACCESS_CODES.has(String((e as NodeJS.ErrnoException).code))) return true;
    if (/Permission denied|Operation not permitted|Read-only file system/i.test(e.message)) return true;
  }
  return false;
}

function accessError(storeName: string, directory: string, cause: unknown): StateDirectoryAccessError {
  return new StateDirectoryAccessError(
    storeName,
    directory,
    `store directory '${directory}' cannot be read or written (${describeCause(cause)}). That does not make it ` +
      'corrupt, so it is not wiped: give this process access to it (permissions, immutable attributes, a read-only ' +
      'mount), or point stateDir at a writable directory.',
    { cause },
  );
}

/** Rethrows a permission or read-only failure of `directory` as a StateDirectoryAccessError; anything else as is. */
function rethrowAccess(storeName: string, directory: string): (err: unknown) => never {
  return (err) => {
    throw isAccessError(err) ? accessError(storeName, directory, err) : err;
  };
}

/**
 * Checks that `path` can be deleted: its parent, every directory and every file under it writable. A wipe that
 * stopped half way would leave a store without its marker or with part of its files, so nothing is deleted
 * unless all of it can be.
 */
async function assertDeletable(storeName: string, path: string): Promise<void> {
  const check = (p: string): Promise<void> => access(p, constants.W_OK).catch(rethrowAccess(storeName, p));
  await check(dirname(path));
  const walk = async (dir: string): Promise<void> => {
    await check(dir);
    for (const e of await readdir(dir, { withFileTypes: true }).catch(rethrowAccess(storeName, dir))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else await check(p);
    }
  };
  await walk(path);
}

/** Undefined when the marker is fine, 'empty' for a missing or empty directory, else what is wrong. */
async function inspect(path: string, storeName: string): Promise<string | 'empty' | undefined> {
  let entries: string[];
  try {
    entries = await readdir(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'empty';
    if (isAccessError(err)) throw accessError(storeName, path, err);
    throw new StateStoreError(storeName, `cannot read store directory '${path}': ${describeCause(err)}`, { cause: err });
  }
  // A lone temp marker is a creation interrupted before any data was written.
  if (entries.every((e) => e === `${MARKER_FILE}.tmp`)) return 'empty';
  if (!entries.includes(MARKER_FILE)) {
    return `has no format marker (${MARKER_FILE}): it was not written by this version of Sluice or its creation was interrupted`;
  }
  let marker: unknown;
  try {
    marker = JSON.parse(await readFile(join(path, MARKER_FILE), 'utf8'));
  } catch (err) {
    if (isAccessError(err)) throw accessError(storeName, path, err);
    return `has an unreadable format marker ${MARKER_FILE} (${describeCause(err)})`;
  }
  const m = marker as Partial<Marker> | null;
  if (typeof m !== 'object' || m === null || typeof m.format !== 'number' || typeof m.store !== 'string') {
    return `has a malformed format marker ${MARKER_FILE} (expected {"format": number, "store": string})`;
  }
  if (m.format !== STORE_FORMAT) {
    return `has store format ${m.format}, but this version of Sluice reads format ${STORE_FORMAT}`;
  }
  if (m.store !== storeName) {
    return `belongs to store '${m.store}', not '${storeName}'`;
  }
  return undefined;
}

async function recover(
  path: string,
  options: OpenStoreDirectoryOptions,
  reason: string,
  cause: unknown,
): Promise<OpenedStoreDirectory> {
  if (options.onCorrupt === 'fail') {
    throw new StateStoreError(
      options.storeName,
      `store directory '${path}' ${reason}. Delete the directory (the store is then restored from its changelog) ` +
        `or set onCorrupt to 'rebuild' to let Sluice do that.`,
      cause === undefined ? undefined : { cause },
    );
  }
  await assertDeletable(options.storeName, path);
  await rm(path, { recursive: true, force: true }).catch(rethrowAccess(options.storeName, path));
  return { engine: await create(path, options), created: false, rebuilt: true, reason };
}

async function create(path: string, options: OpenStoreDirectoryOptions): Promise<RocksDbEngine> {
  const failed = rethrowAccess(options.storeName, path);
  await mkdir(path, { recursive: true }).catch(failed);
  // Marker first and atomically (tmp + rename): a crash never leaves data without a readable marker.
  const marker: Marker = { format: STORE_FORMAT, store: options.storeName };
  const tmp = join(path, `${MARKER_FILE}.tmp`);
  await writeFile(tmp, JSON.stringify(marker) + '\n').catch(failed);
  await rename(tmp, join(path, MARKER_FILE)).catch(failed);
  const engine = new RocksDbEngine(options.storeName, join(path, ROCKSDB_DIR), options.engine);
  await engine.open().catch(rethrowAccess(options.storeName, join(path, ROCKSDB_DIR)));
  return engine;
}
