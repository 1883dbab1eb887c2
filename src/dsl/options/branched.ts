import type { KStream } from '../kstream.js';

/** Names a branch of `split()` and optionally transforms it (Kafka Streams' Branched). */
export class Branched<K, V> {
  private constructor(
    readonly name: string | undefined,
    readonly chain: ((stream: KStream<K, V>) => KStream<any, any> | void) | undefined,
  ) {
    Object.freeze(this);
  }

  static as<K = any, V = any>(name: string): Branched<K, V> {
    return new Branched<K, V>(name, undefined);
  }

  /** The branch's entry in the result map is what `fn` returns (or absent if it returns nothing). */
  static withFunction<K, V>(fn: (stream: KStream<K, V>) => KStream<any, any>, name?: string): Branched<K, V> {
    return new Branched(name, fn);
  }

  /** `fn` consumes the branch; it has no entry in the result map. */
  static withConsumer<K, V>(fn: (stream: KStream<K, V>) => void, name?: string): Branched<K, V> {
    return new Branched(name, (s) => {
      fn(s);
    });
  }
}
