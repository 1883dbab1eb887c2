import { TopologyError } from '../../errors.js';

/** A window start and end in epoch ms. Time windows are [start, end); sliding and session windows include end. */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/** Checks a window duration argument (a safe integer of milliseconds) and names it in the error. */
export function checkMillis(value: number, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TopologyError(`${what} must be a whole number of milliseconds (a safe integer), got ${String(value)}.`);
  }
  return value;
}
