/** Admin client of the embedded cluster. */
import type { Admin, NewTopic, TopicPartition } from '../client.js';
import { tpKey } from '../client.js';
import type { Broker } from './broker.js';
import { ClientLife } from './client-life.js';
import type { OwnedClient } from './crash.js';
import { unknownPartition } from './kafka-errors.js';

export class EmbeddedAdmin implements Admin, OwnedClient {
  private readonly life: ClientLife;

  constructor(
    private readonly broker: Broker,
    private readonly onClose: () => void = () => {},
  ) {
    this.life = new ClientLife('admin client', broker);
  }

  async createTopics(topics: readonly NewTopic[]): Promise<void> {
    this.life.ensureUsable();
    for (const t of topics) this.broker.createTopic(t.topic, t.partitions, t.config ?? {});
  }

  async partitionCounts(topics: readonly string[]): Promise<Map<string, number>> {
    this.life.ensureUsable();
    const out = new Map<string, number>();
    for (const name of topics) {
      const n = this.broker.partitionCount(name);
      if (n !== undefined) out.set(name, n);
    }
    return out;
  }

  async listTopics(): Promise<string[]> {
    this.life.ensureUsable();
    return [...this.broker.topicNames()].sort();
  }

  async listOffsets(partitions: readonly TopicPartition[], which: 'earliest' | 'latest'): Promise<Map<string, number>> {
    this.life.ensureUsable();
    const out = new Map<string, number>();
    for (const { topic, partition } of partitions) {
      const t = this.broker.requireTopic(topic);
      const log = t.partitions[partition];
      if (!log) throw unknownPartition(topic, partition, t.partitionCount);
      out.set(tpKey(topic, partition), which === 'earliest' ? log.startOffset : log.endOffset);
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.life.state !== 'open') return;
    this.life.state = 'closed';
    this.onClose();
  }

  crashNow(): void {
    if (this.life.state === 'open') this.life.state = 'crashed';
  }
}
