import { IllegalStateError } from '../errors.js';

/** A state machine written as data: a table of allowed transitions, and a guard that rejects the rest. */
export class StateMachine<S extends string> {
  #state: S;
  constructor(
    private readonly what: string,
    private readonly transitions: Readonly<Record<S, readonly S[]>>,
    initial: S,
    private readonly onChange?: (next: S, prev: S) => void,
  ) {
    this.#state = initial;
  }

  get state(): S {
    return this.#state;
  }

  is(...states: S[]): boolean {
    return states.includes(this.#state);
  }

  canMoveTo(next: S): boolean {
    return this.transitions[this.#state].includes(next);
  }

  moveTo(next: S): void {
    const prev = this.#state;
    if (!this.transitions[prev].includes(next)) {
      throw new IllegalStateError(`${this.what}: invalid transition from ${prev} to ${next}.`);
    }
    this.#state = next;
    this.onChange?.(next, prev);
  }

  /** Throws unless the machine is in one of `states`; `action` names what was attempted. */
  require(action: string, ...states: S[]): void {
    if (!states.includes(this.#state)) {
      throw new IllegalStateError(`${this.what}: cannot ${action} in state ${this.#state} (allowed in ${states.join(', ')}).`);
    }
  }
}
