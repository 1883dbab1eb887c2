/** Lifecycle of one client handed out by the cluster: open, closed, or crashed with its owner. */
import type { Broker } from './broker.js';
import { clientClosed, clientCrashed } from './kafka-errors.js';

export type LifeState = 'open' | 'closed' | 'crashed';

export class ClientLife {
  state: LifeState = 'open';

  constructor(
    private readonly kind: string,
    private readonly broker: Broker,
  ) {}

  get usable(): boolean {
    return this.state === 'open' && !this.broker.closed;
  }

  /** Throws the KafkaError that says why this client cannot be used (crashed, closed, cluster closed). */
  ensureUsable(): void {
    if (this.state === 'crashed') throw clientCrashed(this.kind);
    if (this.state === 'closed') throw clientClosed(this.kind);
    this.broker.ensureOpen();
  }
}
