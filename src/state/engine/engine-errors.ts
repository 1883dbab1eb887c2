/** Shared checks and error builders of the engines, so both reject the same misuse the same way. */
import { StateStoreError } from '../../errors.js';
import type { MetaUpdate, WriteOp } from './kv-engine.js';

export function closedError(store: string): StateStoreError {
  return new StateStoreError(
    store,
    'the storage engine is closed. The store was closed (task closed, migrated or shut down); ' +
      'reopen it or get the store again from its current owner.',
  );
}

/** Validates a whole batch before applying any of it, so a bad op cannot leave a half-applied batch. */
export function validateBatch(store: string, ops: readonly WriteOp[], meta: MetaUpdate | undefined): void {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (!(op.key instanceof Uint8Array)) {
      throw new StateStoreError(store, `write batch op ${i} has no Buffer key; nothing was written.`);
    }
    if (op.type === 'put') {
      if (!(op.value instanceof Uint8Array)) {
        throw new StateStoreError(
          store,
          `write batch op ${i} is a put without a Buffer value; use {type: 'delete'} to remove a key. Nothing was written.`,
        );
      }
    } else if (op.type !== 'delete') {
      throw new StateStoreError(store, `write batch op ${i} has unknown type '${String((op as { type: unknown }).type)}'; nothing was written.`);
    }
  }
  if (meta !== undefined) {
    for (const name of Object.keys(meta)) {
      validateMetaName(store, name);
      const v = meta[name];
      if (v !== null && !(v instanceof Uint8Array)) {
        throw new StateStoreError(store, `meta entry '${name}' must be a Buffer or null (to delete it); nothing was written.`);
      }
    }
  }
}

export function validateMetaName(store: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new StateStoreError(store, 'meta entry names must be non-empty strings.');
  }
}
