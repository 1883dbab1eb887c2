import { join } from 'node:path';
import { StateStoreError } from '../../errors.js';
import { isPromise, type MaybePromise } from '../../processor/record.js';
import { isSyncEngine, type KvEngine, type RangeOptions, type SyncKvEngine, type WriteOp } from '../engine/kv-engine.js';
import { MemoryEngine } from '../engine/memory-engine.js';
import { openStoreDirectory } from '../engine/store-directory.js';
import type { StateStore, StateStoreContext } from '../state-store.js';
import type { KeyValueBytesStore } from './bytes-store.js';

const OFFSET_META = 'changelog-offset';
const latin1 = (b: Buffer): string => b.toString('latin1');

export type EngineKind = 'in_memory' | 'rocksdb';

/**
 * The bottom of every key-value store stack: an engine plus the writes not yet committed. Writes go to an
 * overlay; `commit` applies the overlay and the changelog offset it reflects in ONE atomic engine batch, so
 * after a crash the persisted state matches a committed changelog position and only the tail is replayed.
 * Under at-least-once a large overlay is spilled early (replaying the tail over it is harmless); under
 * exactly-once it is kept until commit so that uncommitted writes never reach the local store.
 */
export class TransactionalBytesStore implements KeyValueBytesStore {
  #engine: KvEngine | undefined;
  #sync: SyncKvEngine | undefined;
  #overlay = new Map<string, { key: Buffer; value: Buffer | null }>();
  #overlayBytes = 0;
  /**
   * Batches handed to the engine and not yet written (oldest first): reads still see them, and each write starts
   * after the one before, so the engine applies them in order. Processing goes on while RocksDB writes.
   */
  readonly #writing: Map<string, { key: Buffer; value: Buffer | null }>[] = [];
  #lastWrite: Promise<void> = Promise.resolve();
  #writeError: unknown;
  #checkpoint: number | undefined;
  #exactlyOnce = false;
  #open = false;

  constructor(
    readonly name: string,
    private readonly kind: EngineKind,
    /** Spill threshold of the overlay under at-least-once. */
    private readonly maxOverlayBytes = 64 * 1024 * 1024,
  ) {}

  async init(context: StateStoreContext, root: StateStore): Promise<void> {
    this.#exactlyOnce = context.exactlyOnce;
    if (this.kind === 'rocksdb' && context.stateDir !== undefined) {
      const dir = await openStoreDirectory(join(context.stateDir, this.name), {
        storeName: this.name,
        onCorrupt: context.onCorruptStateDir,
      });
      this.#engine = dir.engine;
    } else {
      // without a state directory (test driver) a persistent store behaves as an in-memory one
      this.#engine = new MemoryEngine(this.name);
      await this.#engine.open();
    }
    this.#sync = isSyncEngine(this.#engine) ? this.#engine : undefined;
    const meta = await this.#engine.readMeta(OFFSET_META);
    this.#checkpoint = meta ? Number(meta.readBigInt64BE(0)) : undefined;
    this.#open = true;
    context.register(root, {
      restore: (records, lastOffset) => this.#restore(records, lastOffset),
      checkpointedOffset: () => this.#checkpoint,
      wipe: () => this.#wipe(),
      commit: (offset) => this.commit(offset),
      abortUncommitted: () => this.abortUncommitted(),
    });
  }

  #engineOrThrow(): KvEngine {
    if (!this.#engine || !this.#open) throw new StateStoreError(this.name, 'the store is not open (closed, or used before init).');
    return this.#engine;
  }

  /** The newest write not yet in the engine: the overlay, then batches being written, newest first. */
  #pending(k: string): { key: Buffer; value: Buffer | null } | undefined {
    const o = this.#overlay.get(k);
    if (o) return o;
    for (let i = this.#writing.length - 1; i >= 0; i--) {
      const w = this.#writing[i]!.get(k);
      if (w) return w;
    }
    return undefined;
  }

  get(key: Buffer): MaybePromise<Buffer | undefined> {
    const o = this.#pending(latin1(key));
    if (o) return o.value ?? undefined;
    if (this.#sync) return this.#sync.getSync(key);
    return this.#engineOrThrow().get(key);
  }

  multiGet(keys: readonly Buffer[]): MaybePromise<(Buffer | undefined)[]> {
    const out: (Buffer | undefined)[] = new Array(keys.length);
    const missing: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const o = this.#pending(latin1(keys[i]!));
      if (o) out[i] = o.value ?? undefined;
      else if (this.#sync) out[i] = this.#sync.getSync(keys[i]!);
      else missing.push(i);
    }
    if (missing.length === 0) return out;
    return this.#engineOrThrow()
      .multiGet(missing.map((i) => keys[i]!))
      .then((values) => {
        for (let j = 0; j < missing.length; j++) out[missing[j]!] = values[j];
        return out;
      });
  }

  put(key: Buffer, value: Buffer | null): void {
    const k = latin1(key);
    const prev = this.#overlay.get(k);
    if (prev) this.#overlayBytes -= prev.key.length + (prev.value?.length ?? 0);
    this.#overlay.set(k, { key, value });
    this.#overlayBytes += key.length + (value?.length ?? 0) + 48;
    if (!this.#exactlyOnce && this.#overlayBytes > this.maxOverlayBytes) this.#spill();
  }

  async *range(options: RangeOptions): AsyncIterable<[Buffer, Buffer]> {
    await this.#lastWrite; // batches being written are in the engine from here on
    // merge the committed engine range with the overlay's writes in the same range
    const inRange = (k: Buffer): boolean => {
      if (options.from && Buffer.compare(k, options.from) < (options.fromInclusive === false ? 1 : 0)) return false;
      if (options.to && Buffer.compare(k, options.to) > (options.toInclusive === false ? -1 : 0)) return false;
      return true;
    };
    // overlay keys are the latin1 strings of their bytes: string order is unsigned byte order, and the strings are
    // already at hand for the shadow check (no Buffer.compare per comparison, no second latin1 conversion)
    const overlay: { k: string; key: Buffer; value: Buffer | null }[] = [];
    for (const [k, e] of this.#overlay) if (inRange(e.key)) overlay.push({ k, key: e.key, value: e.value });
    const dir = options.reverse ? -1 : 1;
    overlay.sort((a, b) => (a.k < b.k ? -dir : a.k > b.k ? dir : 0));
    const shadowed = new Set<string>();
    for (const e of overlay) shadowed.add(e.k);
    let i = 0;
    let emitted = 0;
    const limit = options.limit ?? Infinity;
    const { limit: _ignored, ...unlimited } = options;
    // a sync engine is read without a Promise per entry (MemoryEngine.range wraps the same rangeSync)
    const engine = this.#engineOrThrow();
    const it = this.#sync ? this.#sync.rangeSync(unlimited)[Symbol.iterator]() : undefined;
    const ait = it ? undefined : engine.range(unlimited)[Symbol.asyncIterator]();
    let done = false;
    try {
      for (;;) {
        let r: IteratorResult<[Buffer, Buffer], unknown>;
        try {
          r = it ? it.next() : await ait!.next();
        } catch (e) {
          done = true; // an iterator that failed is not closed again (as for-of)
          throw e;
        }
        if (r.done) {
          done = true;
          break;
        }
        const [k, v] = r.value;
        const ks = latin1(k);
        while (i < overlay.length && (dir > 0 ? overlay[i]!.k < ks : overlay[i]!.k > ks)) {
          const e = overlay[i++]!;
          if (e.value) {
            if (emitted++ >= limit) return;
            yield [e.key, e.value];
          }
        }
        if (shadowed.has(ks)) continue;
        if (emitted++ >= limit) return;
        yield [k, v];
      }
    } finally {
      // stopped early (limit, a consumer's break, an error): close the engine iterator as for-of would
      if (!done) {
        if (it) it.return?.();
        else await ait!.return?.();
      }
    }
    for (; i < overlay.length; i++) {
      const e = overlay[i]!;
      if (e.value) {
        if (emitted++ >= limit) return;
        yield [e.key, e.value];
      }
    }
  }

  approximateNumEntries(): MaybePromise<number> {
    const engine = this.#engineOrThrow();
    const overlay = [...this.#overlay.values()];
    // an overlay write only changes the count when it adds a key the engine lacks or deletes one it has
    const adjust = (n: number, inEngine: readonly (Buffer | undefined)[]): number => {
      for (let i = 0; i < overlay.length; i++) {
        const present = inEngine[i] !== undefined;
        if (overlay[i]!.value !== null && !present) n++;
        else if (overlay[i]!.value === null && present) n--;
      }
      return Math.max(0, n);
    };
    const sync = this.#sync;
    if (sync) {
      return engine.approximateNumEntries().then((n) => adjust(n, overlay.map((e) => sync.getSync(e.key))));
    }
    // batches being written land first, so the engine count and the overlay adjustment do not overlap
    return this.#lastWrite.then(() =>
      Promise.all([engine.approximateNumEntries(), overlay.length ? engine.multiGet(overlay.map((e) => e.key)) : []]).then(([n, v]) => adjust(n, v)),
    );
  }

  commit(changelogOffset: number | undefined): MaybePromise<void> {
    this.#engineOrThrow();
    this.#throwWriteError();
    let meta: Record<string, Buffer> | undefined;
    if (changelogOffset !== undefined) {
      const b = Buffer.allocUnsafe(8);
      b.writeBigInt64BE(BigInt(changelogOffset));
      meta = { [OFFSET_META]: b };
      this.#checkpoint = changelogOffset;
    }
    if (this.#overlay.size === 0 && !meta) return;
    if (this.#sync) {
      this.#sync.writeSync(this.#drainOverlay(), meta);
      this.#overlay.clear();
      return;
    }
    // the batch (writes + the offset they reflect) is written atomically in the background; a crash before it lands
    // leaves the older checkpoint, from which restoration replays the committed tail
    this.#writeInBackground(meta);
  }

  /** Hands the overlay to the engine as one atomic batch, after the batches before it. */
  #writeInBackground(meta?: Record<string, Buffer>): void {
    const layer = this.#overlay;
    const ops = this.#drainOverlay();
    this.#overlay = new Map();
    this.#writing.push(layer);
    const engine = this.#engineOrThrow();
    this.#lastWrite = this.#lastWrite
      .then(() => engine.write(ops, meta))
      .catch((e: unknown) => {
        this.#writeError ??= e;
      })
      .finally(() => {
        const i = this.#writing.indexOf(layer);
        if (i >= 0) this.#writing.splice(i, 1);
      });
  }

  #throwWriteError(): void {
    if (this.#writeError !== undefined) {
      const e = this.#writeError;
      throw e instanceof StateStoreError ? e : new StateStoreError(this.name, `a write to the engine failed: ${String(e)}`, { cause: e });
    }
  }

  checkpointedOffset(): number | undefined {
    return this.#checkpoint;
  }

  abortUncommitted(): void {
    this.#overlay.clear();
    this.#overlayBytes = 0;
  }

  async close(): Promise<void> {
    if (!this.#open) return;
    // refuse new work at once (a crashed task's late commit must not land), but let committed batches finish
    this.#open = false;
    await this.#lastWrite;
    await this.#engine?.close();
  }

  isOpen(): boolean {
    return this.#open;
  }

  /** The overlay as engine ops; the caller replaces or clears the overlay. */
  #drainOverlay(): WriteOp[] {
    const ops: WriteOp[] = [];
    for (const e of this.#overlay.values()) {
      ops.push(e.value === null ? { type: 'delete', key: e.key } : { type: 'put', key: e.key, value: e.value });
    }
    this.#overlayBytes = 0;
    return ops;
  }

  /** At-least-once: a large overlay goes down early (replaying the changelog tail over it is harmless). */
  #spill(): void {
    if (this.#sync) {
      this.#sync.writeSync(this.#drainOverlay());
      this.#overlay.clear();
      return;
    }
    this.#writeInBackground();
  }

  async #restore(records: readonly { key: Buffer; value: Buffer | null }[], lastOffset: number): Promise<void> {
    const ops: WriteOp[] = records.map((r) => (r.value === null ? { type: 'delete', key: r.key } : { type: 'put', key: r.key, value: r.value }));
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64BE(BigInt(lastOffset));
    const engine = this.#engineOrThrow();
    if (this.#sync) this.#sync.writeSync(ops, { [OFFSET_META]: b });
    else {
      await this.#lastWrite;
      await engine.write(ops, { [OFFSET_META]: b });
    }
    this.#checkpoint = lastOffset;
  }

  async #wipe(): Promise<void> {
    const engine = this.#engineOrThrow();
    this.abortUncommitted();
    await this.#lastWrite;
    this.#writing.length = 0;
    this.#writeError = undefined;
    await engine.destroy();
    await engine.open();
    this.#checkpoint = undefined;
  }
}
