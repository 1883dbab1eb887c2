import type { GlobalKTable } from '../global-ktable.js';

export class GlobalKTableImpl<K, V> implements GlobalKTable<K, V> {
  constructor(
    /** The global store holding the table. */
    readonly storeName: string,
    private readonly queryable: boolean,
  ) {
    Object.freeze(this);
  }

  queryableStoreName(): string | null {
    return this.queryable ? this.storeName : null;
  }
}
