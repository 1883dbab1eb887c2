/**
 * Micro-benchmark of the storage engines (src/state/engine): `npx tsx bench/engines.ts [keys] [memory|rocksdb]`.
 * Prints ops/s for: batched puts (1M keys, batches of 10k), multiGet of random keys (batches of 1k), single
 * awaited gets, and a full ordered scan; for the in-memory engine also the synchronous paths.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KvEngine, WriteOp } from '../src/state/engine/kv-engine.js';
import { MemoryEngine } from '../src/state/engine/memory-engine.js';
import { RocksDbEngine } from '../src/state/engine/rocksdb-engine.js';

const N = Number(process.argv[2] ?? 1_000_000);
const only = process.argv[3]; // run one engine only
const PUT_BATCH = 10_000;
const GET_BATCH = 1_000;
const SINGLE_GETS = 50_000;

// Keys in scrambled order (a multiplicative hash of i), so neither engine sees sorted inserts.
function makeKey(i: number): Buffer {
  const k = Buffer.allocUnsafe(12);
  k.write('key-', 0, 'latin1');
  k.writeUInt32BE(Math.imul(i, 2654435761) >>> 0, 4);
  k.writeUInt32BE(i, 8);
  return k;
}
const keys: Buffer[] = new Array(N);
for (let i = 0; i < N; i++) keys[i] = makeKey(i);
const value = Buffer.alloc(64, 7);
const randomIdx = new Int32Array(N);
for (let i = 0; i < N; i++) randomIdx[i] = Math.floor(Math.random() * N);

interface Row {
  engine: string;
  workload: string;
  ops: number;
  ms: number;
}
const rows: Row[] = [];

async function measure(engine: string, workload: string, ops: number, run: () => Promise<void> | void): Promise<void> {
  const t0 = performance.now();
  await run();
  const ms = performance.now() - t0;
  rows.push({ engine, workload, ops, ms });
  console.log(`${engine.padEnd(8)} ${workload.padEnd(34)} ${fmt(ops / (ms / 1000)).padStart(8)} ops/s  (${ops} in ${ms.toFixed(0)} ms)`);
}

function fmt(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}k`;
}

async function common(label: string, engine: KvEngine): Promise<void> {
  await measure(label, `put, batches of ${PUT_BATCH / 1000}k`, N, async () => {
    for (let i = 0; i < N; i += PUT_BATCH) {
      const ops: WriteOp[] = [];
      for (let j = i; j < Math.min(N, i + PUT_BATCH); j++) ops.push({ type: 'put', key: keys[j]!, value });
      await engine.write(ops);
    }
  });
  await measure(label, `multiGet random, batches of ${GET_BATCH / 1000}k`, N, async () => {
    const batch: Buffer[] = new Array(GET_BATCH);
    for (let i = 0; i < N; i += GET_BATCH) {
      for (let j = 0; j < GET_BATCH; j++) batch[j] = keys[randomIdx[(i + j) % N]!]!;
      const got = await engine.multiGet(batch);
      if (got[0] === undefined) throw new Error('missing key');
    }
  });
  await measure(label, 'single awaited get, random', SINGLE_GETS, async () => {
    for (let i = 0; i < SINGLE_GETS; i++) {
      if ((await engine.get(keys[randomIdx[i]!]!)) === undefined) throw new Error('missing key');
    }
  });
  await measure(label, 'full scan (async range)', N, async () => {
    let n = 0;
    for await (const _ of engine.range()) n++;
    if (n !== N) throw new Error(`scanned ${n}`);
  });
  await measure(label, 'range scans of 10 from random keys', 50_000, async () => {
    for (let i = 0; i < 50_000; i++) {
      for await (const _ of engine.range({ from: keys[randomIdx[i]!]!, limit: 10 })) void _;
    }
  });
}

async function main(): Promise<void> {
  console.log(`engines benchmark: ${N} keys of 12 bytes, values of 64 bytes, node ${process.version}\n`);

  if (only !== 'rocksdb') await memory();
  if (only !== 'memory') await rocksdb();
}

async function memory(): Promise<void> {
  const mem = new MemoryEngine('bench');
  await mem.open();
  await common('memory', mem);
  await mem.close();
  await mem.open();
  await measure('memory', 'putSync, one by one', N, () => {
    for (let i = 0; i < N; i++) mem.putSync(keys[i]!, value);
  });
  await measure('memory', 'getSync random (stored key Buffers)', N, () => {
    for (let i = 0; i < N; i++) if (mem.getSync(keys[randomIdx[i]!]!) === undefined) throw new Error('missing');
  });
  // As a record arrives: the key Buffer is freshly serialized (cache-hot), only the store lookup is random.
  await measure('memory', 'getSync random (fresh key Buffers)', N, () => {
    for (let i = 0; i < N; i++) {
      if (mem.getSync(makeKey(randomIdx[i]!)) === undefined) throw new Error('missing');
    }
  });
  await measure('memory', 'first scan after 1M new keys (sort)', N, () => {
    for (const _ of mem.rangeSync({ limit: 1 })) void _;
  });
  await measure('memory', 'full scan (rangeSync)', N, () => {
    let n = 0;
    for (const _ of mem.rangeSync()) n++;
    if (n !== N) throw new Error(`scanned ${n}`);
  });
  await mem.close();
}

async function rocksdb(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-engines-'));
  try {
    const rocks = new RocksDbEngine('bench', join(dir, 'rocksdb'));
    await rocks.open();
    await common('rocksdb', rocks);
    await rocks.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
