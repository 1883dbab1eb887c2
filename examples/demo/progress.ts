/**
 * Live progress: one status line, redrawn in place on a terminal (every 250 ms) and printed as plain lines
 * once a second when the output is not a terminal (CI logs, pipes).
 */
import type { KafkaStreams, StreamsMetrics } from '../../src/index.js';
import type { Generator } from './generator.js';

export interface Sample {
  readonly atMs: number;
  readonly metrics: StreamsMetrics;
  readonly lag: number;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

export class Progress {
  readonly #streams: KafkaStreams;
  readonly #generator: Generator;
  readonly #startedAt = Date.now();
  readonly #tty = process.stdout.isTTY === true;
  #timer: NodeJS.Timeout | undefined;
  #previous: Sample | undefined;
  #lastPrinted = 0;
  #sampling: Promise<Sample> | undefined;

  constructor(streams: KafkaStreams, generator: Generator) {
    this.#streams = streams;
    this.#generator = generator;
  }

  start(): void {
    this.#timer = setInterval(() => void this.sample().then((s) => this.#render(s)).catch(() => undefined), 250);
  }

  /** Current metrics and total lag (one sample at a time). */
  sample(): Promise<Sample> {
    this.#sampling ??= this.#streams
      .metrics()
      .then((metrics) => ({ atMs: Date.now(), metrics, lag: Object.values(metrics.lagPerTask).reduce((a, b) => a + b, 0) }))
      .finally(() => (this.#sampling = undefined));
    return this.#sampling;
  }

  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#tty) process.stdout.write('\n');
  }

  #render(s: Sample): void {
    const prev = this.#previous;
    this.#previous = s;
    const rate = prev && s.atMs > prev.atMs ? ((s.metrics.processedRecords - prev.metrics.processedRecords) * 1000) / (s.atMs - prev.atMs) : 0;
    const g = this.#generator;
    const line =
      `${((s.atMs - this.#startedAt) / 1000).toFixed(1).padStart(5)}s ${s.metrics.state.padEnd(11)}` +
      ` produced ${fmt(g.pageViews)}/${fmt(g.target)} views +${fmt(g.userUpdates)} users` +
      ` | processed ${fmt(s.metrics.processedRecords)} @ ${fmt(rate)}/s` +
      ` | commits ${fmt(s.metrics.commits)} | lag ${fmt(s.lag)}`;
    if (this.#tty) {
      // one line, never wrapped, so \r can redraw it
      process.stdout.write(`\r\x1b[2K${line.slice(0, Math.max(20, (process.stdout.columns ?? 120) - 1))}`);
    } else if (s.atMs - this.#lastPrinted >= 1000) {
      this.#lastPrinted = s.atMs;
      process.stdout.write(`${line}\n`);
    }
  }
}
