/**
 * The part of rocksdb-native (3.x, ships no types) the RocksDB engine uses; checked against
 * node_modules/rocksdb-native/index.js and lib/ (batch.js, iterator.js, state.js).
 */
declare module 'rocksdb-native' {
  namespace RocksDB {
    interface ReadBatch {
      get(key: Buffer): Promise<Buffer | null>;
      flush(): Promise<void>;
      destroy(): void;
    }
    interface WriteBatch {
      tryPut(key: Buffer, value: Buffer): void;
      tryDelete(key: Buffer): void;
      tryDeleteRange(start: Buffer, end: Buffer): void;
      flush(): Promise<void>;
      destroy(): void;
    }
    interface IteratorOptions {
      gt?: Buffer;
      gte?: Buffer;
      lt?: Buffer;
      lte?: Buffer;
      reverse?: boolean;
      limit?: number;
      values?: boolean;
      /** Entries fetched per native call (default 8). */
      capacity?: number;
    }
    interface Iterator extends AsyncIterable<{ key: Buffer; value: Buffer }> {
      destroy(err?: Error): void;
    }
    interface BatchOptions {
      capacity?: number;
      autoDestroy?: boolean;
      asyncIO?: boolean;
      fillCache?: boolean;
    }
  }
  class RocksDB {
    constructor(path: string, options?: Record<string, unknown>);
    readonly opened: boolean;
    readonly closed: boolean;
    ready(): Promise<void>;
    close(options?: { force?: boolean }): Promise<void>;
    read(options?: RocksDB.BatchOptions): RocksDB.ReadBatch;
    write(options?: RocksDB.BatchOptions): RocksDB.WriteBatch;
    iterator(range: RocksDB.IteratorOptions): RocksDB.Iterator;
    get(key: Buffer): Promise<Buffer | null>;
    getProperty(name: string): Promise<string>;
    flush(): Promise<void>;
  }
  export = RocksDB;
}
