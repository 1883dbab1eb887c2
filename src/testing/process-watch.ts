/**
 * Process-level sanity of a run: no promise rejected unhandled while it ran, and once everything is closed no
 * handle (timer, socket, ...) is left above what the process held before the run, so the process can exit.
 */

export interface ProcessWatch {
  /** Stops watching; returns what was wrong (empty when sane). Waits up to `graceMs` for handles to go away. */
  stop(graceMs?: number): Promise<string[]>;
}

function resourceCounts(): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

function above(baseline: ReadonlyMap<string, number>): string[] {
  return [...resourceCounts()].filter(([r, n]) => n > (baseline.get(r) ?? 0)).map(([r, n]) => `${n - (baseline.get(r) ?? 0)} ${r}`);
}

export function watchProcess(): ProcessWatch {
  const rejections: string[] = [];
  const onRejection = (reason: unknown): void => void rejections.push(reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
  process.on('unhandledRejection', onRejection);
  const baseline = resourceCounts();
  return {
    async stop(graceMs = 3_000) {
      const deadline = Date.now() + graceMs;
      let left = above(baseline);
      while (left.length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        left = above(baseline);
      }
      process.off('unhandledRejection', onRejection);
      return [
        ...rejections.map((r) => `unhandled rejection: ${r}`),
        ...(left.length ? [`still open after close (the process could not exit): ${left.join(', ')}`] : []),
      ];
    },
  };
}
