/**
 * KafkaClient over kafkajs, for real clusters. One kafkajs `Kafka` instance per client; each consumer, producer
 * and admin gets its own kafkajs client (and connections) from it. `owner` is ignored (it exists for the
 * embedded cluster's crash hooks).
 */
import kafkajs from 'kafkajs';
import type { KafkaConfig, SASLOptions, logCreator as KafkajsLogCreator, RetryOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type { Admin, Consumer, ConsumerOptions, GroupMetadata, KafkaClient, Producer, ProducerOptions } from '../client.js';
import { KafkajsAdmin } from './admin-adapter.js';
import { KafkajsConsumer } from './consumer-adapter.js';
import { KafkajsProducer } from './producer-adapter.js';
import { OwnerLinks } from './owner-links.js';

const { Kafka, logLevel: KafkajsLogLevel } = kafkajs;

export type KafkajsLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

export interface KafkajsClientOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  readonly ssl?: boolean | ConnectionOptions;
  readonly sasl?: SASLOptions;
  readonly connectionTimeout?: number;
  readonly requestTimeout?: number;
  /** kafkajs log level; 'nothing' by default so the library stays quiet (kafkajs logs every reconnect at ERROR). */
  readonly logLevel?: KafkajsLogLevel;
  /** Where kafkajs log lines go when logLevel is not 'nothing'; default: console.error as one JSON line. */
  readonly logCreator?: KafkajsLogCreator;
  /** kafkajs retry options for all clients (the idempotent/transactional producer keeps kafkajs' own default). */
  readonly retry?: RetryOptions;
}

const LEVELS: Record<KafkajsLogLevel, number> = {
  nothing: KafkajsLogLevel.NOTHING,
  error: KafkajsLogLevel.ERROR,
  warn: KafkajsLogLevel.WARN,
  info: KafkajsLogLevel.INFO,
  debug: KafkajsLogLevel.DEBUG,
};

const defaultLogCreator: KafkajsLogCreator = () => (entry) => {
  console.error(JSON.stringify({ level: entry.label, namespace: entry.namespace, ...entry.log }));
};

export class KafkajsClient implements KafkaClient {
  readonly kafka: InstanceType<typeof Kafka>;
  readonly options: KafkajsClientOptions;
  private readonly links = new OwnerLinks();

  constructor(options: KafkajsClientOptions) {
    this.options = options;
    const config: KafkaConfig = {
      brokers: [...options.brokers],
      clientId: options.clientId ?? 'sluice',
      logLevel: LEVELS[options.logLevel ?? 'nothing'],
      logCreator: options.logCreator ?? defaultLogCreator,
    };
    if (options.ssl !== undefined) config.ssl = options.ssl;
    if (options.sasl !== undefined) config.sasl = options.sasl;
    if (options.connectionTimeout !== undefined) config.connectionTimeout = options.connectionTimeout;
    if (options.requestTimeout !== undefined) config.requestTimeout = options.requestTimeout;
    if (options.retry !== undefined) config.retry = options.retry;
    this.kafka = new Kafka(config);
  }

  consumer(options: ConsumerOptions, owner?: object): Consumer {
    const consumer = new KafkajsConsumer(this.kafka, options, this.options.retry);
    if (options.groupId !== undefined) this.links.addConsumer(owner, consumer);
    return consumer;
  }

  producer(options: ProducerOptions, owner?: object): Producer {
    let lastGroup: GroupMetadata | undefined;
    return new KafkajsProducer(this.kafka, options, this.options.retry, {
      assertCommittable: (offsets, group) => {
        lastGroup = group;
        return this.links.assertCommittable(owner, group, offsets);
      },
      aborting: () => this.links.aborted(owner, lastGroup),
    });
  }

  admin(_owner?: object): Admin {
    return new KafkajsAdmin(this.kafka);
  }
}
