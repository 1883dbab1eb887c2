/**
 * When a windowed aggregation emits (Kafka Streams' EmitStrategy): `onWindowUpdate` (default) forwards every
 * update; `onWindowClose` forwards each window's final result once, when stream time passes its end + grace.
 */
export class EmitStrategy {
  private constructor(readonly type: 'ON_WINDOW_UPDATE' | 'ON_WINDOW_CLOSE') {
    Object.freeze(this);
  }

  static onWindowUpdate(): EmitStrategy {
    return new EmitStrategy('ON_WINDOW_UPDATE');
  }

  static onWindowClose(): EmitStrategy {
    return new EmitStrategy('ON_WINDOW_CLOSE');
  }
}
