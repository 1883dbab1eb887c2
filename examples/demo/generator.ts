/**
 * Feeds the demo's input topics through the Kafka port, so the same code produces to the embedded cluster and,
 * through the kafkajs adapter, to a real one:
 *   'users'      user id -> region: an initial load, then region moves and a few deletions (tombstones),
 *   'page-views' user id -> page path, with a skewed page popularity so there is a clear top list.
 * Records are spread evenly over `seconds` so the application processes them while they arrive.
 */
import { Serdes, type KafkaClient, type Producer } from '../../src/index.js';
import { TOPICS } from './topology.js';

export interface GeneratorOptions {
  /** Page views to produce. */
  readonly records: number;
  /** Spread the page views over this many seconds (0: as fast as possible). */
  readonly seconds: number;
  readonly users?: number;
  readonly pages?: number;
  readonly seed?: number;
}

export const REGIONS = ['eu-west', 'eu-north', 'us-east', 'us-west', 'ap-south', 'sa-east'] as const;
const SECTIONS = ['home', 'search', 'product', 'cart', 'checkout', 'blog', 'docs', 'pricing', 'about', 'careers'];
const TICK_MS = 50;

/** Small deterministic PRNG (mulberry32) so a seed reproduces a run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Generator {
  pageViews = 0;
  userUpdates = 0;
  done = false;
  readonly #opts: Required<GeneratorOptions>;
  readonly #rand: () => number;
  readonly #pages: string[];
  readonly #serde = Serdes.String();
  #stopped = false;

  constructor(options: GeneratorOptions) {
    this.#opts = { users: 2_000, pages: 200, seed: 42, ...options };
    this.#rand = prng(this.#opts.seed);
    this.#pages = Array.from({ length: this.#opts.pages }, (_, i) => `/${SECTIONS[i % SECTIONS.length]}/${Math.floor(i / SECTIONS.length)}`);
  }

  get produced(): number {
    return this.pageViews + this.userUpdates;
  }

  get target(): number {
    return this.#opts.records;
  }

  stop(): void {
    this.#stopped = true;
  }

  /** Produces everything, flushing every tick; resolves when all records are acknowledged. */
  async run(client: KafkaClient): Promise<void> {
    const producer = client.producer({ clientId: 'sluice-demo-generator', idempotent: true });
    await producer.connect();
    try {
      for (let u = 0; u < this.#opts.users; u++) this.#sendUser(producer, this.#user(u), this.#region());
      await this.#flush(producer);
      const { records, seconds } = this.#opts;
      const ticks = Math.max(1, Math.round((seconds * 1000) / TICK_MS));
      const started = Date.now();
      for (let tick = 1; tick <= ticks && !this.#stopped; tick++) {
        const upTo = Math.round((records * tick) / ticks);
        while (this.pageViews < upTo) {
          this.#send(producer, TOPICS.pageViews, this.#user(this.#int(this.#opts.users)), this.#page());
          this.pageViews++;
          // about one user update per 100 page views: a move to another region, sometimes a deletion
          if (this.#rand() < 0.01) {
            const user = this.#user(this.#int(this.#opts.users));
            this.#sendUser(producer, user, this.#rand() < 0.1 ? null : this.#region());
          }
        }
        await this.#flush(producer);
        const wait = started + tick * TICK_MS * (seconds > 0 ? 1 : 0) - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    } finally {
      this.done = true;
      await producer.close();
    }
  }

  #user(i: number): string {
    return `user-${String(i).padStart(5, '0')}`;
  }

  #region(): string {
    return REGIONS[this.#int(REGIONS.length)]!;
  }

  /** Roughly Zipf-distributed: page i is picked with weight ~ 1/(i+1). */
  #page(): string {
    const n = this.#pages.length;
    const i = Math.min(n - 1, Math.floor(Math.exp(this.#rand() * Math.log(n + 1)) - 1));
    return this.#pages[i]!;
  }

  #int(n: number): number {
    return Math.floor(this.#rand() * n);
  }

  #sendUser(producer: Producer, user: string, region: string | null): void {
    this.#send(producer, TOPICS.users, user, region);
    this.userUpdates++;
  }

  #send(producer: Producer, topic: string, key: string, value: string | null): void {
    producer.send({ topic, key: this.#serde.serialize(topic, key), value: this.#serde.serialize(topic, value), timestamp: Date.now() });
  }

  async #flush(producer: Producer): Promise<void> {
    const { failures } = await producer.flush();
    if (failures.length > 0) throw failures[0]!.error;
  }
}
