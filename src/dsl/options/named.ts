import { TopologyError } from '../../errors.js';

/** A user-chosen processor name (Kafka Streams' Named). */
export class Named {
  private constructor(readonly name: string) {}

  static as(name: string): Named {
    if (typeof name !== 'string' || name.length === 0 || name.length > 249 || !/^[A-Za-z0-9._-]+$/.test(name)) {
      throw new TopologyError(`Name '${name}' is illegal: use 1-249 characters from [a-zA-Z0-9._-].`);
    }
    return new Named(name);
  }
}
