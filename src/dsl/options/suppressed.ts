import { TopologyError } from '../../errors.js';
import { Named } from './named.js';
import { checkMillis } from './window-duration.js';

/** What a full suppression buffer does: emit its oldest entries early, or stop the application. */
export type BufferFullStrategy = 'EMIT' | 'SHUT_DOWN';

/**
 * Bounds of a suppression buffer and whether it is logged (Kafka Streams' BufferConfig). The buffer is a state
 * store logged to `<applicationId>-<store>-changelog` unless withLoggingDisabled(), so what it holds survives
 * restarts and task moves. Immutable.
 */
export class BufferConfig {
  private constructor(
    readonly maxRecords: number,
    readonly maxBytes: number,
    readonly fullStrategy: BufferFullStrategy,
    readonly loggingEnabled: boolean = true,
    /** Topic configs for the changelog (Kafka Streams' logConfig). */
    readonly logConfig: Readonly<Record<string, string>> = {},
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

  /** At most `n` bytes of buffered entries: serialized key, values and record context (as Kafka Streams counts). */
  static maxBytes(n: number): BufferConfig {
    checkMillis(n, 'BufferConfig.maxBytes');
    if (n < 0) throw new TopologyError(`BufferConfig.maxBytes must not be negative, got ${n}.`);
    return new BufferConfig(Infinity, n, 'EMIT');
  }

  withMaxRecords(n: number): BufferConfig {
    return new BufferConfig(BufferConfig.maxRecords(n).maxRecords, this.maxBytes, this.fullStrategy, this.loggingEnabled, this.logConfig);
  }

  withMaxBytes(n: number): BufferConfig {
    return new BufferConfig(this.maxRecords, BufferConfig.maxBytes(n).maxBytes, this.fullStrategy, this.loggingEnabled, this.logConfig);
  }

  /** When full, emit the oldest buffered records early (default for bounded buffers). */
  emitEarlyWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'EMIT', this.loggingEnabled, this.logConfig);
  }

  /** When full, fail (the stream thread dies) instead of emitting early: results stay final. */
  shutDownWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'SHUT_DOWN', this.loggingEnabled, this.logConfig);
  }

  /** Log the buffer to its changelog (the default), with these changelog topic configs. */
  withLoggingEnabled(config: Readonly<Record<string, string>> = {}): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, this.fullStrategy, true, Object.freeze({ ...config }));
  }

  /** No changelog: what the buffer holds is lost on a restart or a task move (finals of open windows too). */
  withLoggingDisabled(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, this.fullStrategy, false, {});
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

  /** Names the suppression processor (instead of KTABLE-SUPPRESS-<index>) and its buffer store `<name>-store`. */
  withName(name: string): Suppressed {
    // validated as Named: the name is part of the buffer's changelog topic name
    return new Suppressed(this.kind, this.timeToWaitMs, this.bufferConfig, Named.as(name).name);
  }
}
