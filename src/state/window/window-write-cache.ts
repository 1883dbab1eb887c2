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

// Buffer#latin1Slice (what toString('latin1') calls) skips the encoding dispatch (as in memory-engine.ts)
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (start: number, end: number) => string }).latin1Slice;
const toStr: (key: Buffer) => string = typeof latin1Slice === 'function' ? (key) => latin1Slice.call(key, 0, key.length) : (key) => key.toString('latin1');

/** Bytes counted per entry besides its key (the values are held deserialized; this is an estimate). */
const ENTRY_OVERHEAD = 96;

/** An entry with its place in the write order (a doubly linked list: moving an entry to the end is O(1)). */
interface Slot<W, X> extends CachedWrite<W, X> {
  prev: Slot<W, X> | undefined;
  next: Slot<W, X> | undefined;
}

export class WindowWriteCache<W, X> {
  readonly #entries = new Map<string, Slot<W, X>>();
  /** Least recently written first. A rewrite moves its entry to the tail instead of deleting and re-inserting it in
   * the Map: on hot keys that delete + set left holes V8 had to rehash, at a cost far above the lookup itself. */
  #head: Slot<W, X> | undefined;
  #tail: Slot<W, X> | undefined;
  #bytes = 0;

  constructor(readonly maxBytes: number) {}

  get size(): number {
    return this.#entries.size;
  }

  get overBudget(): boolean {
    return this.#bytes > this.maxBytes;
  }

  get(storeKey: Buffer): CachedWrite<W, X> | undefined {
    return this.#entries.get(toStr(storeKey));
  }

  /** Records a write; the first write of an entry since its last write-down fixes what it replaced. */
  put(storeKey: Buffer, windowed: W, value: X | null, timestamp: number, old: { value: X | null } | undefined): void {
    const k = toStr(storeKey);
    const prev = this.#entries.get(k);
    if (prev) {
      // most recently written last
      if (prev !== this.#tail) {
        this.#unlink(prev);
        this.#append(prev);
      }
      prev.value = value;
      prev.timestamp = timestamp;
      return;
    }
    const slot: Slot<W, X> = { storeKey, windowed, value, timestamp, old: old?.value ?? null, oldKnown: old !== undefined, prev: undefined, next: undefined };
    this.#entries.set(k, slot);
    this.#append(slot);
    this.#bytes += storeKey.length + ENTRY_OVERHEAD;
  }

  delete(entry: CachedWrite<W, X>): void {
    const k = toStr(entry.storeKey);
    const slot = this.#entries.get(k);
    if (slot === undefined) return;
    this.#entries.delete(k);
    this.#unlink(slot);
    this.#bytes -= entry.storeKey.length + ENTRY_OVERHEAD;
  }

  /** Entries in least recently written order (a snapshot: safe to delete while iterating). */
  entries(): CachedWrite<W, X>[] {
    const out: CachedWrite<W, X>[] = new Array(this.#entries.size);
    let i = 0;
    for (let s = this.#head; s !== undefined; s = s.next) out[i++] = s;
    return out;
  }

  clear(): void {
    this.#entries.clear();
    this.#head = this.#tail = undefined;
    this.#bytes = 0;
  }

  #append(s: Slot<W, X>): void {
    s.prev = this.#tail;
    s.next = undefined;
    if (this.#tail) this.#tail.next = s;
    else this.#head = s;
    this.#tail = s;
  }

  #unlink(s: Slot<W, X>): void {
    if (s.prev) s.prev.next = s.next;
    else this.#head = s.next;
    if (s.next) s.next.prev = s.prev;
    else this.#tail = s.prev;
    s.prev = s.next = undefined;
  }
}
