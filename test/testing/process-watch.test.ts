import { describe, expect, it } from 'vitest';
import { watchProcess } from '../../src/testing/process-watch.js';

describe('watchProcess', () => {
  it('reports a handle left open after the run (the process could not exit), and nothing once it is closed', async () => {
    const watch = watchProcess();
    const timer = setInterval(() => undefined, 1_000);
    try {
      expect(await watch.stop(50)).toEqual(['still open after close (the process could not exit): 1 Timeout']);
    } finally {
      clearInterval(timer);
    }
    const clean = watchProcess();
    const t = setInterval(() => undefined, 1_000);
    clearInterval(t);
    expect(await clean.stop(50)).toEqual([]);
  });
});
