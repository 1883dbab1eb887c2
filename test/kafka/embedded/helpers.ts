import type { ConsumedRecord, Consumer, RebalanceListener, TopicPartition } from '../../../src/kafka/client.js';

export const buf = (s: string): Buffer => Buffer.from(s);
export const str = (b: Buffer | null): string | null => (b === null ? null : b.toString());

/** A listener that records the callbacks it gets. */
export function recordingListener(): RebalanceListener & {
  events: { kind: 'revoked' | 'assigned' | 'lost'; partitions: TopicPartition[]; userData?: Buffer }[];
  owned(): string[];
} {
  const events: { kind: 'revoked' | 'assigned' | 'lost'; partitions: TopicPartition[]; userData?: Buffer }[] = [];
  return {
    events,
    onPartitionsRevoked: (partitions) => void events.push({ kind: 'revoked', partitions: [...partitions] }),
    onPartitionsAssigned: (partitions, userData) => void events.push({ kind: 'assigned', partitions: [...partitions], userData }),
    onPartitionsLost: (partitions) => void events.push({ kind: 'lost', partitions: [...partitions] }),
    owned() {
      const last = [...events].reverse().find((e) => e.kind === 'assigned');
      return (last?.partitions ?? []).map((p) => `${p.topic}:${p.partition}`).sort();
    },
  };
}

/** Polls all consumers in turn until `done` says so or the time is up; returns what each got. */
export async function pollAll(
  consumers: readonly Consumer[],
  done: (got: ConsumedRecord[][]) => boolean,
  timeoutMs = 2000,
): Promise<ConsumedRecord[][]> {
  const got: ConsumedRecord[][] = consumers.map(() => []);
  const deadline = Date.now() + timeoutMs;
  while (!done(got)) {
    if (Date.now() > deadline) throw new Error(`pollAll timed out; got ${got.map((g) => g.length).join(', ')} records`);
    for (let i = 0; i < consumers.length; i++) got[i]!.push(...(await consumers[i]!.poll(5)));
  }
  return got;
}

/** Polls until the group settles: every consumer has taken its assignment and nothing is pending. */
export async function settle(consumers: readonly Consumer[], rounds = 4): Promise<void> {
  for (let r = 0; r < rounds; r++) for (const c of consumers) await c.poll(0);
}
