/** Deterministic inputs shared by the stateful workloads. */

/** LCG (Numerical Recipes): the same sequence on every run. */
export function lcg(seed = 42): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pu', 'da', 'fe', 'go', 'hi', 'ju', 'be'];

/** `n` distinct lower-case ASCII words (2-5 syllables), word i from the digits of i in base 16. */
export function vocabulary(n: number): string[] {
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    let w = '';
    let x = i;
    do {
      w += SYLLABLES[x & 15];
      x >>>= 4;
    } while (x > 0);
    out[i] = w + SYLLABLES[(i * 7) & 15]!;
  }
  return out;
}

/** A sampler of ranks 0..n-1 following Zipf's law with exponent `s` (inverse CDF by binary search). */
export function zipf(n: number, s: number, rand: () => number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / Math.pow(i + 1, s);
  for (let i = 0; i < n; i++) cdf[i]! /= sum;
  return () => {
    const u = rand();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}
