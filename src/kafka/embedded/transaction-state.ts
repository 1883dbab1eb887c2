/**
 * The client-side transaction state machine of a transactional producer, as a table of allowed transitions with a
 * guard (in the spirit of kafkajs' transactionStateMachine and the Java TransactionManager).
 */
import { IllegalStateError } from '../../errors.js';

export type TxnState =
  | 'UNINITIALIZED'
  | 'READY'
  | 'IN_TRANSACTION'
  | 'COMMITTING'
  | 'ABORTING'
  /** A send or offset commit of the open transaction failed: it can only be aborted. */
  | 'ABORTABLE_ERROR'
  /** A newer producer with the same transactional id exists (or the transaction timed out): unusable. */
  | 'FENCED'
  | 'CLOSED';

const TRANSITIONS: Readonly<Record<TxnState, readonly TxnState[]>> = {
  UNINITIALIZED: ['READY', 'FENCED', 'CLOSED'],
  READY: ['IN_TRANSACTION', 'FENCED', 'CLOSED'],
  IN_TRANSACTION: ['COMMITTING', 'ABORTING', 'ABORTABLE_ERROR', 'FENCED', 'CLOSED'],
  // A commit that fails retriably leaves the transaction open, to be retried or aborted.
  COMMITTING: ['READY', 'IN_TRANSACTION', 'ABORTABLE_ERROR', 'FENCED', 'CLOSED'],
  ABORTING: ['READY', 'FENCED', 'CLOSED'],
  ABORTABLE_ERROR: ['ABORTING', 'FENCED', 'CLOSED'],
  FENCED: ['CLOSED'],
  CLOSED: [],
};

/** What each operation needs, for the error message when it is called in the wrong state. */
const HINTS: Partial<Record<TxnState, string>> = {
  UNINITIALIZED: 'call initTransactions() first',
  READY: 'call beginTransaction() first',
  IN_TRANSACTION: 'commit or abort the open transaction first',
  ABORTABLE_ERROR: 'the transaction failed; call abortTransaction()',
  FENCED: 'the producer was fenced; close it and create a new one',
  CLOSED: 'the producer is closed',
};

export function canTransition(from: TxnState, to: TxnState): boolean {
  return TRANSITIONS[from].includes(to);
}

export class TransactionStateMachine {
  private current: TxnState = 'UNINITIALIZED';

  constructor(private readonly transactionalId: string) {}

  get state(): TxnState {
    return this.current;
  }

  /** Moves to `to` or throws IllegalStateError naming the operation. */
  transition(to: TxnState, operation: string): void {
    if (!canTransition(this.current, to)) {
      throw new IllegalStateError(
        `Transactional producer '${this.transactionalId}': cannot ${operation} in state ${this.current}` +
          (HINTS[this.current] ? `; ${HINTS[this.current]}.` : '.'),
      );
    }
    this.current = to;
  }

  /** Throws unless in one of `states`. */
  require(states: readonly TxnState[], operation: string): void {
    if (!states.includes(this.current)) {
      throw new IllegalStateError(
        `Transactional producer '${this.transactionalId}': cannot ${operation} in state ${this.current}` +
          (HINTS[this.current] ? `; ${HINTS[this.current]}.` : '.'),
      );
    }
  }

  /** Unconditional moves the cluster imposes (fencing, close): allowed from every state but CLOSED. */
  force(to: 'FENCED' | 'CLOSED'): void {
    if (this.current === 'CLOSED') return;
    if (to === 'FENCED' && this.current === 'FENCED') return;
    this.current = to;
  }
}
