import type { ResolvedConfig } from '../config.js';
import { StreamsError } from '../errors.js';
import { tpKey, type Admin, type ConsumedRecord, type Consumer, type KafkaClient } from '../kafka/client.js';
import type { Topology } from '../topology/topology.js';
import { GlobalStateManager } from './global-state.js';

/**
 * Keeps the instance's global stores current: at start it reads every partition of the global topics to their
 * end (processing waits for this), then it follows them for as long as the instance runs.
 */
export class GlobalStreamThread {
  readonly state: GlobalStateManager;
  readonly #consumer: Consumer;
  #stop = false;
  #loop: Promise<void> | undefined;
  #bootstrapping: Promise<void> | undefined;

  constructor(
    topology: Topology,
    private readonly config: ResolvedConfig,
    client: KafkaClient,
    private readonly admin: Admin,
    owner: object,
    stateDir: string,
    private readonly onError: (e: unknown) => void,
  ) {
    this.state = new GlobalStateManager(topology, config, stateDir, undefined);
    this.#consumer = client.consumer(
      {
        clientId: `${config.clientId}-global-consumer`,
        isolationLevel: config.processingGuarantee === 'exactly_once_v2' ? 'read_committed' : 'read_uncommitted',
        maxPollRecords: 10_000,
      },
      owner,
    );
  }

  /** Builds the stores from the topics' beginning to their current end. */
  bootstrap(): Promise<void> {
    return (this.#bootstrapping = this.#bootstrap());
  }

  async #bootstrap(): Promise<void> {
    const topics = this.state.topics;
    const counts = await this.admin.partitionCounts(topics);
    const missing = topics.filter((t) => !counts.has(t));
    if (missing.length) throw new StreamsError(`Global table topic(s) ${missing.join(', ')} do not exist. Create them before starting.`, 'MISSING_SOURCE_TOPICS');
    const partitions = topics.flatMap((topic) => Array.from({ length: counts.get(topic)! }, (_, partition) => ({ topic, partition })));
    await this.state.initialize();
    const ends = await this.admin.listOffsets(partitions, 'latest');
    await this.#consumer.assign(partitions.map((p) => ({ ...p, offset: 0 })));
    const next = new Map(partitions.map((p) => [tpKey(p.topic, p.partition), 0]));
    const caughtUp = (): boolean =>
      partitions.every((p) => {
        const k = tpKey(p.topic, p.partition);
        const pos = this.#consumer.position?.(p) ?? next.get(k)!;
        return pos >= (ends.get(k) ?? 0);
      });
    while (!caughtUp() && !this.#stop) {
      const records = await this.#poll(100);
      if (records.length === 0 && this.#consumer.position === undefined) break; // no positions to tell: an empty poll means the end
      for (const r of records) {
        const p = this.state.processRecord(r);
        if (p) await p;
        next.set(tpKey(r.topic, r.partition), r.offset + 1);
      }
    }
    await this.state.commit();
  }

  start(): void {
    this.#loop = (async () => {
      while (!this.#stop) {
        const records = await this.#poll(this.config.pollMs);
        if (this.#stop) break;
        for (const r of records) {
          const p = this.state.processRecord(r);
          if (p) await p;
        }
        if (records.length) await this.state.commit();
      }
    })().catch((e) => {
      if (!this.#stop) this.onError(e);
    });
  }

  /** A poll; a retriable failure (a fetch that failed, nothing lost) is an empty poll after a pause: poll again. */
  async #poll(maxWaitMs: number): Promise<ConsumedRecord[]> {
    try {
      return await this.#consumer.poll(maxWaitMs);
    } catch (e) {
      if (!(e instanceof StreamsError && e.retriable)) throw e;
      this.config.logger.warn(`Global stream thread: retrying after a retriable error: ${e.message}`);
      await new Promise((r) => setTimeout(r, maxWaitMs));
      return [];
    }
  }

  /** The process died: stop, and let go of the store files (as the OS would) without committing. */
  crash(): Promise<void> {
    this.#stop = true;
    return (async () => {
      // a crashed instance reports nothing: its bootstrap's failure (on its crashed clients) is not a finding
      await this.#bootstrapping?.catch(() => undefined);
      await this.#loop;
      await this.state.close();
    })();
  }

  async close(): Promise<void> {
    this.#stop = true;
    // a close during the bootstrap waits for it to stop, or it would open the stores after they were closed; its
    // failure is reported by start(), which awaits it
    await this.#bootstrapping?.catch(() => undefined);
    await this.#loop;
    await this.#consumer.close().catch(() => undefined);
    await this.state.close();
  }
}
