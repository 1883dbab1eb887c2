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
 * A directory locked by another open instance is never wiped: that throws (retriable) in both modes.
 */
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StateStoreError, describeCause } from '../../errors.js';
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
      return recover(path, options, `cannot be opened as a RocksDB database (${describeCause(cause)})`, err);
    }
  }
  return recover(path, options, problem, undefined);
}

/** Undefined when the marker is fine, 'empty' for a missing or empty directory, else what is wrong. */
async function inspect(path: string, storeName: string): Promise<string | 'empty' | undefined> {
  let entries: string[];
  try {
    entries = await readdir(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'empty';
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
  await rm(path, { recursive: true, force: true });
  return { engine: await create(path, options), created: false, rebuilt: true, reason };
}

async function create(path: string, options: OpenStoreDirectoryOptions): Promise<RocksDbEngine> {
  await mkdir(path, { recursive: true });
  // Marker first and atomically (tmp + rename): a crash never leaves data without a readable marker.
  const marker: Marker = { format: STORE_FORMAT, store: options.storeName };
  const tmp = join(path, `${MARKER_FILE}.tmp`);
  await writeFile(tmp, JSON.stringify(marker) + '\n');
  await rename(tmp, join(path, MARKER_FILE));
  const engine = new RocksDbEngine(options.storeName, join(path, ROCKSDB_DIR), options.engine);
  await engine.open();
  return engine;
}
