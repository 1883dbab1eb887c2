import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultPartition, murmur2 } from '../../src/kafka/partitioner.js';

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('murmur2 matches the Java client (Utils.murmur2)', () => {
  // Kafka's UtilsTest.testMurmur2 vectors.
  const javaVectors: Array<[string, number]> = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];
  // librdkafka's rdmurmur2.c unit-test vectors (its murmur2 partitioner is Java-compatible), covering every tail length.
  const librdkafkaVectors: Array<[string, number]> = [
    ['kafka', 0xd067cf64 | 0],
    ['giberish123456789', 0x8f552b0c | 0],
    ['1234', 0x9fc97b14 | 0],
    ['234', 0xe7c009ca | 0],
    ['34', 0x873930da | 0],
    ['4', 0x5a4b5ca1 | 0],
    ['PreAmbleWillBeRemoved,ThePrePartThatIs', 0x78424f1c | 0],
    ['reAmbleWillBeRemoved,ThePrePartThatIs', 0x4a62b377 | 0],
    ['eAmbleWillBeRemoved,ThePrePartThatIs', 0xe0e4e09e | 0],
    ['AmbleWillBeRemoved,ThePrePartThatIs', 0x62b8b43f | 0],
    ['', 0x106e08d9 | 0],
  ];

  it.each(javaVectors)('UtilsTest: murmur2(%j) = %i', (s, expected) => {
    expect(murmur2(utf8(s))).toBe(expected);
  });

  it.each(librdkafkaVectors)('librdkafka: murmur2(%j) = %i', (s, expected) => {
    expect(murmur2(utf8(s))).toBe(expected);
  });

  it('returns a signed 32-bit int and works on plain Uint8Arrays and Buffer views', () => {
    const big = Buffer.from('xx' + 'foobar');
    expect(murmur2(big.subarray(2))).toBe(-790332482);
    expect(murmur2(new Uint8Array(utf8('foobar')))).toBe(-790332482);
  });

  it('agrees with kafkajs\'s independent (Long-based) port on arbitrary bytes', () => {
    const require = createRequire(import.meta.url);
    const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (a) => {
        const b = Buffer.from(a);
        expect(murmur2(b)).toBe(kafkajsMurmur2(b));
      }),
      { numRuns: 500 },
    );
  });
});

describe('defaultPartition = toPositive(murmur2(key)) % numPartitions', () => {
  it('known partitions', () => {
    // foobar: -790332482 & 0x7fffffff = 1357151166
    expect(defaultPartition(utf8('foobar'), 50)).toBe(1357151166 % 50);
    expect(defaultPartition(utf8('foobar'), 50)).toBe(16);
    expect(defaultPartition(utf8('abc'), 7)).toBe(479470107 % 7);
    expect(defaultPartition(utf8('21'), 1)).toBe(0);
  });

  it('is always in range', () => {
    fc.assert(
      fc.property(fc.uint8Array(), fc.integer({ min: 1, max: 10_000 }), (a, n) => {
        const p = defaultPartition(a, n);
        expect(Number.isInteger(p) && p >= 0 && p < n).toBe(true);
        expect(p).toBe((murmur2(a) & 0x7fffffff) % n);
      }),
    );
  });
});
