/**
 * An ordered multiset of entries sorted by their string key `k`, kept as a list of sorted chunks (the "sorted
 * containers" layout): an insert is a binary search plus a splice inside one small array, and iteration walks
 * flat arrays, which suits V8 better than pointer-based trees. Entries are removed by rebuild(), not one by one:
 * the engine deletes lazily (marks entries dead) and the iterator skips dead entries.
 *
 * Keys are latin1 strings made from key bytes: each byte becomes one UTF-16 code unit, so JavaScript string
 * comparison equals unsigned lexicographic byte order (Buffer.compare).
 */

// A chunk splits above this size.
const MAX_CHUNK = 1024;

export interface Keyed {
  readonly k: string;
}

function bisectLeft(a: readonly Keyed[], k: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]!.k < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function bisectRight(a: readonly Keyed[], k: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (k < a[mid]!.k) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const byKey = (a: Keyed, b: Keyed): number => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0);

export interface KeyBounds {
  lo?: string | undefined;
  loInclusive: boolean;
  hi?: string | undefined;
  hiInclusive: boolean;
}

export class SortedIndex<E extends Keyed> {
  private chunks: E[][] = [];
  /** maxes[i] is the last (largest) entry of chunks[i]; searched first to find the chunk. */
  private maxes: E[] = [];
  /** Bumped on every structural change, so running iterators know to re-seek. */
  private version = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.chunks = [];
    this.maxes = [];
    this.count = 0;
    this.version++;
  }

  /** Adds `e` (entries with equal keys may coexist; the caller tells live from dead ones). */
  insert(e: E): void {
    const chunks = this.chunks;
    if (chunks.length === 0) {
      chunks.push([e]);
      this.maxes.push(e);
    } else {
      const k = e.k;
      let ci = bisectLeft(this.maxes, k);
      let chunk: E[];
      if (ci === chunks.length) {
        // Larger than every key: append to the last chunk (the common case for increasing keys).
        ci--;
        chunk = chunks[ci]!;
        chunk.push(e);
        this.maxes[ci] = e;
      } else {
        chunk = chunks[ci]!;
        chunk.splice(bisectLeft(chunk, k), 0, e);
      }
      if (chunk.length > MAX_CHUNK) this.split(ci);
    }
    this.version++;
    this.count++;
  }

  /**
   * Rebuilds the index from its current entries that pass `keep` plus `added` (any order) that pass `keep`:
   * one sort and one linear merge, far cheaper than many single inserts for large batches.
   */
  rebuild(added: E[], keep: (e: E) => boolean): void {
    added.sort(byKey);
    const out: E[] = [];
    let j = 0;
    for (const chunk of this.chunks) {
      for (const e of chunk) {
        while (j < added.length && added[j]!.k < e.k) {
          const a = added[j++]!;
          if (keep(a)) out.push(a);
        }
        if (keep(e)) out.push(e);
      }
    }
    for (; j < added.length; j++) if (keep(added[j]!)) out.push(added[j]!);
    // Chunks start half full so the next inserts do not split at once.
    const chunks: E[][] = [];
    const maxes: E[] = [];
    for (let i = 0; i < out.length; i += MAX_CHUNK >> 1) {
      const c = out.slice(i, i + (MAX_CHUNK >> 1));
      chunks.push(c);
      maxes.push(c[c.length - 1]!);
    }
    this.chunks = chunks;
    this.maxes = maxes;
    this.count = out.length;
    this.version++;
  }

  private split(ci: number): void {
    const chunk = this.chunks[ci]!;
    const tail = chunk.splice(chunk.length >> 1);
    this.chunks.splice(ci + 1, 0, tail);
    this.maxes.splice(ci, 1, chunk[chunk.length - 1]!, tail[tail.length - 1]!);
  }

  /**
   * Entries within bounds that pass `live`, in order (descending when `reverse`), robust against changes made
   * while iterating: after a change it re-seeks just past the last key returned.
   */
  *iterate(b: KeyBounds, reverse: boolean, live: (e: E) => boolean): Generator<E, void, undefined> {
    if (b.lo !== undefined &&
      b.hi !== undefined &&
      (b.lo > b.hi || (b.lo === b.hi && !(b.loInclusive && b.hiInclusive)))) {
      return;
    }
    if (reverse) yield* this.iterateDown(b, live);
    else yield* this.iterateUp(b, live);
  }

  private *iterateUp(b: KeyBounds, live: (e: E) => boolean): Generator<E, void, undefined> {
    let version = this.version;
    let [ci, i] = b.lo === undefined ? [0, 0] : this.seekUp(b.lo, b.loInclusive);
    let last: string | undefined;
    for (;;) {
      if (version !== this.version) {
        // The set changed under us: find the position after the last key returned.
        version = this.version;
        if (last !== undefined) [ci, i] = this.seekUp(last, false);
        else [ci, i] = b.lo === undefined ? [0, 0] : this.seekUp(b.lo, b.loInclusive);
      }
      const chunk = this.chunks[ci];
      if (chunk === undefined) return;
      if (i >= chunk.length) {
        ci++;
        i = 0;
        continue;
      }
      const e = chunk[i++]!;
      const k = e.k;
      if (b.hi !== undefined && (k > b.hi || (k === b.hi && !b.hiInclusive))) return;
      if (!live(e)) continue;
      last = k;
      yield e;
    }
  }

  private *iterateDown(b: KeyBounds, live: (e: E) => boolean): Generator<E, void, undefined> {
    let version = this.version;
    let [ci, i] = b.hi === undefined ? this.lastPos() : this.seekDown(b.hi, b.hiInclusive);
    let last: string | undefined;
    for (;;) {
      if (version !== this.version) {
        version = this.version;
        if (last !== undefined) [ci, i] = this.seekDown(last, false);
        else [ci, i] = b.hi === undefined ? this.lastPos() : this.seekDown(b.hi, b.hiInclusive);
      }
      if (ci < 0) return;
      if (i < 0) {
        ci--;
        if (ci < 0) return;
        i = this.chunks[ci]!.length - 1;
        continue;
      }
      const e = this.chunks[ci]![i--]!;
      const k = e.k;
      if (b.lo !== undefined && (k < b.lo || (k === b.lo && !b.loInclusive))) return;
      if (!live(e)) continue;
      last = k;
      yield e;
    }
  }

  /** Position of the first key >= k (or > k). May point past the end of a chunk; iteration moves on. */
  private seekUp(k: string, inclusive: boolean): [number, number] {
    const ci = inclusive ? bisectLeft(this.maxes, k) : bisectRight(this.maxes, k);
    const chunk = this.chunks[ci];
    if (chunk === undefined) return [ci, 0];
    return [ci, inclusive ? bisectLeft(chunk, k) : bisectRight(chunk, k)];
  }

  /** Position of the last key <= k (or < k); [-1, -1] when there is none. */
  private seekDown(k: string, inclusive: boolean): [number, number] {
    // The chunk holding the answer is the one the next-larger key lives in, or the one before it.
    let ci = inclusive ? bisectRight(this.maxes, k) : bisectLeft(this.maxes, k);
    if (ci === this.chunks.length) return this.lastPos();
    const chunk = this.chunks[ci]!;
    const i = (inclusive ? bisectRight(chunk, k) : bisectLeft(chunk, k)) - 1;
    if (i >= 0) return [ci, i];
    ci--;
    return ci < 0 ? [-1, -1] : [ci, this.chunks[ci]!.length - 1];
  }

  private lastPos(): [number, number] {
    const ci = this.chunks.length - 1;
    return ci < 0 ? [-1, -1] : [ci, this.chunks[ci]!.length - 1];
  }
}
