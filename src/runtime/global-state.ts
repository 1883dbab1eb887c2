import { join } from 'node:path';
import type { ResolvedConfig } from '../config.js';
import { SerdeError, StreamsError, TopologyError } from '../errors.js';
import type { ConsumedRecord } from '../kafka/client.js';
import type { Processor, ProcessorContext } from '../processor/processor.js';
import { isPromise, type MaybePromise, type RecordMetadata } from '../processor/record.js';
import type { Serde } from '../serdes/serde.js';
import type { StateStore, StoreRestorer } from '../state/state-store.js';
import type { GlobalStoreDef } from '../topology/node-defs.js';
import type { Topology } from '../topology/topology.js';
import { handleRecordError } from './error-handling.js';
import type { RecordCollector } from './record-collector.js';

interface GlobalEntry {
  readonly def: GlobalStoreDef;
  readonly store: StateStore;
  readonly processor: Processor<unknown, unknown, void, void>;
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;
  restorer: StoreRestorer | undefined;
}

/**
 * The instance's global stores (GlobalKTables): each is rebuilt from all partitions of its topic when the
 * instance starts, then kept current by the global thread. Its topic is its changelog, so nothing is logged.
 * Both KafkaStreams and the test driver use this class.
 */
export class GlobalStateManager {
  readonly stores = new Map<string, StateStore>();
  readonly #byTopic = new Map<string, GlobalEntry>();
  #current: ConsumedRecord | undefined;
  processed = 0;

  constructor(
    private readonly topology: Topology,
    private readonly config: ResolvedConfig,
    private readonly stateDir: string | undefined,
    /** For dead-letter records of the deserialization handler. */
    private readonly collector: RecordCollector | undefined,
  ) {}

  get storeNames(): string[] {
    return [...this.topology.globalStores.keys()];
  }

  get topics(): string[] {
    return [...this.topology.globalStores.values()].map((g) => g.topic);
  }

  async initialize(): Promise<void> {
    for (const def of this.topology.globalStores.values()) {
      const keySerde = def.keySerde ?? this.config.defaultKeySerde;
      const valueSerde = def.valueSerde ?? this.config.defaultValueSerde;
      if (!keySerde || !valueSerde) throw new TopologyError(`Global store '${def.builder.name}' (topic '${def.topic}') has no serdes: pass Consumed.with(...).`);
      const store = def.builder.build();
      const entry: GlobalEntry = { def, store, processor: def.supplier() as GlobalEntry['processor'], keySerde, valueSerde, restorer: undefined };
      this.stores.set(def.builder.name, store);
      this.#byTopic.set(def.topic, entry);
      const self = this;
      await store.init({
        applicationId: this.config.applicationId,
        taskId: 'global',
        partition: -1,
        stateDir: this.stateDir === undefined ? undefined : join(this.stateDir, 'global'),
        cacheMaxBytes: 0,
        changelogTopic: () => def.topic,
        logChange() {},
        register(_s, restorer) {
          entry.restorer = restorer;
        },
        currentTimestamp: () => self.#current?.timestamp ?? 0,
        exactlyOnce: false,
        onCorruptStateDir: this.config.onCorruptStateDir,
        defaultKeySerde: this.config.defaultKeySerde,
        defaultValueSerde: this.config.defaultValueSerde,
      });
      // rebuilt from the topic each start: the topic has every partition's data, a local checkpoint would need one per partition
      await entry.restorer?.wipe();
      const init = entry.processor.init?.(this.#context());
      if (init) await init;
    }
  }

  /** Apply one record of a global topic to its store. */
  processRecord(raw: ConsumedRecord): MaybePromise<void> {
    const entry = this.#byTopic.get(raw.topic);
    if (!entry) throw new StreamsError(`No global store reads topic '${raw.topic}'.`, 'UNKNOWN_TOPIC');
    let key: unknown;
    let value: unknown;
    try {
      key = entry.keySerde.deserialize(raw.topic, raw.key);
      value = entry.valueSerde.deserialize(raw.topic, raw.value);
    } catch (e) {
      const error = new SerdeError(key === undefined ? 'key' : 'value', 'deserialize', raw, e);
      if (this.collector) handleRecordError(this.config.deserializationExceptionHandler, error, raw, this.collector, this.config.logger);
      else throw error;
      return;
    }
    this.#current = raw;
    this.processed++;
    const r = entry.processor.process({ key, value, timestamp: raw.timestamp, headers: raw.headers });
    return isPromise(r) ? r : undefined;
  }

  /** Persist what was applied (global stores keep writes in their overlay until then). */
  async commit(): Promise<void> {
    for (const e of this.#byTopic.values()) {
      await e.store.flush();
      await e.restorer?.commit(undefined);
    }
  }

  async close(): Promise<void> {
    for (const e of this.#byTopic.values()) {
      await e.processor.close?.();
      if (e.store.isOpen()) await e.store.close();
    }
  }

  #context(): ProcessorContext<void, void> {
    const self = this;
    return {
      applicationId: this.config.applicationId,
      taskId: 'global',
      forward: () => undefined,
      schedule: () => {
        throw new TopologyError('Global store processors cannot schedule punctuators.');
      },
      getStateStore<S>(name: string): S {
        const s = self.stores.get(name);
        if (!s) throw new TopologyError(`Global store processor asked for '${name}', which is not a global store.`);
        return s as S;
      },
      recordMetadata(): RecordMetadata | undefined {
        const c = self.#current;
        return c ? { topic: c.topic, partition: c.partition, offset: c.offset } : undefined;
      },
      currentStreamTimeMs: () => self.#current?.timestamp ?? -1,
      currentSystemTimeMs: () => Date.now(),
      commit: () => undefined,
    };
  }
}
