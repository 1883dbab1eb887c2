/**
 * The write-back cache of window and session stores: dirty writes only, keyed by store key, in least recently
 * written order. Reads see them first; `flush` (commit) writes them down and forwards each once, so a window
 * updated many times between commits is forwarded once with its latest value (Kafka Streams' caching stores).
 * Entries remember the value they replaced when the writer knew it; otherwise the store reads it at write-down.
 */
export interface CachedWrite<W, X> {
  readonly storeKey: Buffer;
  readonly windowed: W;
  value: X | null;
  timestamp: number;
  old: X | null;
  oldKnown: boolean;
}

/** Bytes counted per entry besides its key (the values are held deserialized; this is an estimate). */
const ENTRY_OVERHEAD = 96;

export class WindowWriteCache<W, X> {
  readonly #entries = new Map<string, CachedWrite<W, X>>();
  #bytes = 0;

  constructor(readonly maxBytes: number) {}

  get size(): number {
    return this.#entries.size;
  }

  get overBudget(): boolean {
    return this.#bytes > this.maxBytes;
  }

  get(storeKey: Buffer): CachedWrite<W, X> | undefined {
    return this.#entries.get(storeKey.toString('latin1'));
  }

  /** Records a write; the first write of an entry since its last write-down fixes what it replaced. */
  put(storeKey: Buffer, windowed: W, value: X | null, timestamp: number, old: { value: X | null } | undefined): void {
    const k = storeKey.toString('latin1');
    const prev = this.#entries.get(k);
    if (prev) {
      this.#entries.delete(k); // re-insert: most recently written last
      prev.value = value;
      prev.timestamp = timestamp;
      this.#entries.set(k, prev);
      return;
    }
    this.#entries.set(k, { storeKey, windowed, value, timestamp, old: old?.value ?? null, oldKnown: old !== undefined });
    this.#bytes += storeKey.length + ENTRY_OVERHEAD;
  }

  delete(entry: CachedWrite<W, X>): void {
    if (this.#entries.delete(entry.storeKey.toString('latin1'))) this.#bytes -= entry.storeKey.length + ENTRY_OVERHEAD;
  }

  /** Entries in least recently written order (a snapshot: safe to delete while iterating). */
  entries(): CachedWrite<W, X>[] {
    return [...this.#entries.values()];
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
