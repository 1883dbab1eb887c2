import { TopologyError } from '../../errors.js';
import { checkMillis } from './window-duration.js';

/** What a full suppression buffer does: emit its oldest entries early, or stop the application. */
export type BufferFullStrategy = 'EMIT' | 'SHUT_DOWN';

/** Bounds of a suppression buffer (Kafka Streams' BufferConfig). Immutable. */
export class BufferConfig {
  private constructor(
    readonly maxRecords: number,
    readonly maxBytes: number,
    readonly fullStrategy: BufferFullStrategy,
  ) {
    Object.freeze(this);
  }

  /** No bound: the buffer holds as much as it must (memory grows with the number of open windows or keys). */
  static unbounded(): BufferConfig {
    return new BufferConfig(Infinity, Infinity, 'SHUT_DOWN');
  }

  /** At most `n` records; when full, the oldest are emitted early (emitEarlyWhenFull) unless changed. */
  static maxRecords(n: number): BufferConfig {
    checkMillis(n, 'BufferConfig.maxRecords');
    if (n < 0) throw new TopologyError(`BufferConfig.maxRecords must not be negative, got ${n}.`);
    return new BufferConfig(n, Infinity, 'EMIT');
  }

  /** At most about `n` bytes; entries are held deserialized, so their size is estimated (see suppress.ts). */
  static maxBytes(n: number): BufferConfig {
    checkMillis(n, 'BufferConfig.maxBytes');
    if (n < 0) throw new TopologyError(`BufferConfig.maxBytes must not be negative, got ${n}.`);
    return new BufferConfig(Infinity, n, 'EMIT');
  }

  withMaxRecords(n: number): BufferConfig {
    return new BufferConfig(BufferConfig.maxRecords(n).maxRecords, this.maxBytes, this.fullStrategy);
  }

  withMaxBytes(n: number): BufferConfig {
    return new BufferConfig(this.maxRecords, BufferConfig.maxBytes(n).maxBytes, this.fullStrategy);
  }

  /** When full, emit the oldest buffered records early (default for bounded buffers). */
  emitEarlyWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'EMIT');
  }

  /** When full, fail (the stream thread dies) instead of emitting early: results stay final. */
  shutDownWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'SHUT_DOWN');
  }
}

/**
 * How KTable.suppress holds back updates (Kafka Streams' Suppressed). Immutable.
 * - untilWindowCloses: on a windowed table, only each window's final result, once stream time passes its close.
 * - untilTimeLimit: per key, the latest update once `timeToWaitMs` of stream time passed since the key's first
 *   buffered update (or earlier, when a bounded buffer is full and emits early).
 */
export class Suppressed {
  private constructor(
    readonly kind: 'untilWindowCloses' | 'untilTimeLimit',
    readonly timeToWaitMs: number,
    readonly bufferConfig: BufferConfig,
    readonly name: string | undefined,
  ) {
    Object.freeze(this);
  }

  /** Final results only; the buffer must not emit early, so a bounded buffer has to shutDownWhenFull(). */
  static untilWindowCloses(bufferConfig: BufferConfig): Suppressed {
    if (bufferConfig.fullStrategy !== 'SHUT_DOWN') {
      throw new TopologyError(
        'Suppressed.untilWindowCloses needs a strict buffer config (BufferConfig.unbounded() or ...shutDownWhenFull()): emitting early would break the final-results guarantee.',
      );
    }
    return new Suppressed('untilWindowCloses', 0, bufferConfig, undefined);
  }

  static untilTimeLimit(timeToWaitMs: number, bufferConfig: BufferConfig): Suppressed {
    checkMillis(timeToWaitMs, 'Suppressed.untilTimeLimit timeToWaitMs');
    if (timeToWaitMs < 0) throw new TopologyError(`Suppressed.untilTimeLimit needs a non-negative time to wait, got ${timeToWaitMs}.`);
    return new Suppressed('untilTimeLimit', timeToWaitMs, bufferConfig, undefined);
  }

  /** Names the suppression processor (instead of KTABLE-SUPPRESS-<index>). */
  withName(name: string): Suppressed {
    return new Suppressed(this.kind, this.timeToWaitMs, this.bufferConfig, name);
  }
}
