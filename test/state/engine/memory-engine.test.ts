import { describe, expect, it } from 'vitest';
import { isSyncEngine } from '../../../src/state/engine/kv-engine.js';
import { MemoryEngine } from '../../../src/state/engine/memory-engine.js';
import { kvEngineConformance } from './kv-engine-conformance.js';

kvEngineConformance('MemoryEngine', {
  create: async () => new MemoryEngine('mem-store'),
  exactCount: true,
  modelRuns: 100,
});

describe('MemoryEngine specifics', () => {
  it('offers the synchronous fast path', async () => {
    const e = new MemoryEngine('m');
    await e.open();
    expect(isSyncEngine(e)).toBe(true);
    e.putSync(Buffer.from('b'), Buffer.from('2'));
    e.writeSync([{ type: 'put', key: Buffer.from('a'), value: Buffer.from('1') }], { offset: Buffer.from('7') });
    expect(e.getSync(Buffer.from('a'))?.toString()).toBe('1');
    expect([...e.prefixSync(Buffer.from(''))].map(([k]) => k.toString())).toEqual(['a', 'b']);
    e.deleteSync(Buffer.from('a'));
    expect(e.getSync(Buffer.from('a'))).toBeUndefined();
    expect((await e.readMeta('offset'))?.toString()).toBe('7');
  });

  it('keeps order through bulk index rebuilds, garbage collection and re-inserted keys', async () => {
    const e = new MemoryEngine('m');
    await e.open();
    const key = (i: number): Buffer => Buffer.from(`k${String(i).padStart(6, '0')}`);
    // Many new keys at once take the sort+merge path; a few take single inserts.
    for (let i = 0; i < 5000; i += 2) e.putSync(key(i), Buffer.from('v'));
    expect([...e.rangeSync({ limit: 1 })][0]![0].toString()).toBe('k000000');
    for (let i = 1; i < 5000; i += 2) e.putSync(key(i), Buffer.from('v'));
    e.putSync(key(99999), Buffer.from('v'));
    // Delete most keys (garbage in the index), re-insert some of them.
    for (let i = 0; i < 5000; i++) if (i % 10 !== 0) e.deleteSync(key(i));
    for (let i = 1; i < 5000; i += 100) e.putSync(key(i), Buffer.from('again'));
    const got = [...e.rangeSync()].map(([k]) => k.toString());
    const want = [...Array(5000).keys()]
      .filter((i) => i % 10 === 0 || (i - 1) % 100 === 0)
      .map((i) => key(i).toString())
      .concat(key(99999).toString());
    expect(got).toEqual(want);
    expect([...e.rangeSync({ reverse: true })].map(([k]) => k.toString())).toEqual([...want].reverse());
    expect(await e.approximateNumEntries()).toBe(want.length);
  });

  it('a scan survives index changes made by scans nested in it (inserts and rebuilds re-seek the cursor)', async () => {
    const e = new MemoryEngine('m');
    await e.open();
    const key = (i: number): Buffer => Buffer.from(`k${String(i).padStart(6, '0')}`);
    for (let i = 0; i < 3000; i += 3) e.putSync(key(i), Buffer.from('v'));
    const seen: string[] = [];
    const deleted = new Set<string>();
    let step = 0;
    for (const [k] of e.rangeSync()) {
      seen.push(k.toString());
      // Alternate a few new keys (single inserts) and many (sort + merge rebuild), then sync via a nested scan.
      const count = step++ % 2 === 0 ? 2 : 200;
      for (let j = 0; j < count; j++) e.putSync(key(3000 + Math.floor(Math.random() * 1e5)), Buffer.from('n'));
      const at = Number(k.toString().slice(1));
      if (at > 0) e.putSync(key(at - 1), Buffer.from('n')); // behind the cursor: shifts its position
      if (step % 7 === 0) {
        e.deleteSync(key(at + 3));
        deleted.add(key(at + 3).toString());
      }
      expect([...e.rangeSync({ from: k, limit: 1 })]).toHaveLength(1);
      if (step > 400) break;
    }
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(seen.length);
    for (let i = 0; i < 300; i += 3) {
      if (!deleted.has(key(i).toString())) expect(seen).toContain(key(i).toString());
    }
    for (const k of deleted) expect(seen).not.toContain(k);
  });

  it('loses its data on close, like Kafka Streams in-memory stores (restored from the changelog)', async () => {
    const e = new MemoryEngine('m');
    await e.open();
    await e.put(Buffer.from('a'), Buffer.from('1'));
    await e.close();
    await e.open();
    expect(await e.get(Buffer.from('a'))).toBeUndefined();
  });
});
