import type { MessageHeaders } from '../kafka/client.js';

export type Headers = MessageHeaders;

/** A record flowing through a topology (Kafka Streams' `api.Record`). Treat as immutable: copy to change. */
export interface StreamRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: Headers;
}

/** Where the record being processed came from; absent for records created by punctuators. */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export type MaybePromise<T> = T | Promise<T>;

export const EMPTY_HEADERS: Headers = Object.freeze({}) as Headers;

export function isPromise<T>(value: unknown): value is Promise<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
