/**
 * Crashing an application instance on the embedded cluster. `cluster.crash(owner)` kills every client created with
 * that owner; if the owner also has a method under this symbol it is called synchronously, so the application can
 * stop its loops at once (a real process would simply be gone).
 */
export const CRASH = Symbol.for('sluice.crash');

/** An object that may be told it crashed (the runtime's KafkaStreams implements this). */
export interface Crashable {
  [CRASH]?(): void;
}

/** A client handed out by the cluster that dies with its owner. */
export interface OwnedClient {
  /** Die now: drop buffers, leave nothing behind cleanly (the cluster cleans up as Kafka would after a timeout). */
  crashNow(): void;
}

/** Calls the owner's crash hook, if it has one. */
export function notifyOwnerCrashed(owner: object): void {
  const hook = (owner as Crashable)[CRASH];
  if (typeof hook === 'function') hook.call(owner);
}
