import type { ProcessorSupplier } from '../processor.js';

/**
 * What a built-in one-record operator does, as data, so the task can fuse a chain of them into one node (the
 * pipeline compiled to a loop, as Quix Streams composes closures): no node hop and no intermediate record per step.
 */
export type FusableStep =
  | { readonly kind: 'filter'; readonly predicate: (key: any, value: any) => boolean; readonly not: boolean }
  | { readonly kind: 'map'; readonly mapper: (key: any, value: any) => { key: any; value: any } }
  | { readonly kind: 'mapValues'; readonly mapper: (value: any, key: any) => any }
  | { readonly kind: 'selectKey'; readonly selector: (key: any, value: any) => any }
  | { readonly kind: 'peek'; readonly action: (key: any, value: any) => void }
  /** Fans out: only the last step of a fused chain. */
  | { readonly kind: 'flatMapValues'; readonly mapper: (value: any, key: any) => Iterable<any> };

const STEP = Symbol('sluice.fusableStep');

export function withStep<S extends ProcessorSupplier<any, any, any, any>>(supplier: S, step: FusableStep): S {
  return Object.assign(supplier, { [STEP]: step });
}

export function stepOf(supplier: unknown): FusableStep | undefined {
  return typeof supplier === 'function' ? (supplier as { [STEP]?: FusableStep })[STEP] : undefined;
}
