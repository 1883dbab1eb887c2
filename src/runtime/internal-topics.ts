import type { ResolvedConfig } from '../config.js';
import { StreamsError, TopologyError } from '../errors.js';
import type { Admin, NewTopic } from '../kafka/client.js';
import type { Subtopology } from '../topology/subtopology.js';
import type { Topology } from '../topology/topology.js';

/** Physical facts of a topology on one cluster: topic names, partition counts, task ids. */
export interface TopologyMetadata {
  readonly applicationId: string;
  topicName(name: string): string;
  /** Partitions (= tasks) of each sub-topology. */
  readonly tasksPerSubtopology: ReadonlyMap<number, number>;
  readonly partitionCounts: ReadonlyMap<string, number>;
  /** Physical source topics of each sub-topology. */
  readonly sourceTopics: ReadonlyMap<number, readonly string[]>;
  /** Changelog topic of each logged store. */
  readonly changelogs: ReadonlyMap<string, string>;
}

/**
 * Resolves partition counts (source topics from the cluster; a repartition topic gets the max partition count of
 * the sub-topology writing it, or its explicit count; a changelog gets its sub-topology's task count), checks
 * co-partitioning, and creates the internal topics that do not exist yet.
 */
export async function prepareTopics(
  topology: Topology,
  config: Pick<ResolvedConfig, 'applicationId' | 'deserializationExceptionHandler' | 'processingExceptionHandler'>,
  admin: Admin,
): Promise<TopologyMetadata> {
  const { applicationId } = config;
  const internal = topology.internalTopics;
  const topicName = (name: string): string => (internal.has(name) ? `${applicationId}-${name}` : name);
  const subs = topology.subtopologies();
  const patternTopics = subs.some((s) => s.sourcePatterns.length > 0) ? await admin.listTopics() : [];
  const sourcesOf = new Map<number, string[]>();
  for (const s of subs) {
    const list = s.sourceTopics.map(topicName);
    for (const p of s.sourcePatterns) for (const t of patternTopics) if (p.test(t) && !list.includes(t)) list.push(t);
    sourcesOf.set(s.id, list);
  }
  const external = [...new Set([...sourcesOf.values()].flat().filter((t) => !isInternal(t, applicationId, internal)))];
  const counts = new Map(await admin.partitionCounts(external));
  const missing = external.filter((t) => !counts.has(t));
  if (missing.length) {
    throw new StreamsError(
      `Source topic(s) ${missing.map((t) => `'${t}'`).join(', ')} do not exist. Create them before starting the application.`,
      'MISSING_SOURCE_TOPICS',
    );
  }
  await requireDeadLetterTopics(config, admin);
  for (const [name, def] of internal) if (def.kind === 'repartition' && def.partitions !== undefined) counts.set(topicName(name), def.partitions);
  // co-partitioning (Kafka Streams' CopartitionedTopicsEnforcer): a repartition topic read together with source
  // topics by a stateful sub-topology takes their partition count, not its writer's (a re-keyed stream joined with
  // a table; a foreign-key join's subscription topic, joined with the foreign table, and its response topic)
  const open = new Set([...internal].filter(([, d]) => d.kind === 'repartition' && d.partitions === undefined).map(([n]) => topicName(n)));
  for (const s of subs) {
    if (s.stores.length === 0) continue;
    const inputs = sourcesOf.get(s.id) ?? [];
    const given = inputs.filter((t) => !open.has(t)).map((t) => counts.get(t)).filter((n): n is number => n !== undefined);
    if (given.length > 0) for (const t of inputs) if (open.has(t)) counts.set(t, Math.max(...given));
  }
  // repartition topics may feed each other: iterate until every one is known
  const writers = (topic: string): Subtopology[] => subs.filter((s) => s.sinks.some((k) => typeof k.topic === 'string' && topicName(k.topic) === topic));
  for (let round = 0; round < subs.length + 1; round++) {
    for (const [name, def] of internal) {
      const t = topicName(name);
      if (def.kind !== 'repartition' || counts.has(t)) continue;
      const inputs = writers(t).flatMap((s) => sourcesOf.get(s.id) ?? []);
      const known = inputs.map((i) => counts.get(i)).filter((n): n is number => n !== undefined);
      if (known.length && known.length === inputs.length) counts.set(t, Math.max(...known));
    }
  }
  // topics feeding each other in a cycle (a foreign-key join's subscription and response topics): known inputs decide
  for (let round = 0; round < subs.length + 1; round++) {
    for (const [name, def] of internal) {
      const t = topicName(name);
      if (def.kind !== 'repartition' || counts.has(t)) continue;
      const known = writers(t)
        .flatMap((s) => sourcesOf.get(s.id) ?? [])
        .map((i) => counts.get(i))
        .filter((n): n is number => n !== undefined);
      if (known.length) counts.set(t, Math.max(...known));
    }
  }
  const tasks = new Map<number, number>();
  for (const s of subs) {
    const inputCounts = (sourcesOf.get(s.id) ?? []).map((t) => counts.get(t));
    if (inputCounts.some((c) => c === undefined)) throw new TopologyError(`Cannot resolve the partition count of the inputs of sub-topology ${s.id}.`);
    const distinct = new Set(inputCounts);
    if (distinct.size > 1 && s.stores.length > 0) {
      throw new TopologyError(
        `Co-partitioning violation in sub-topology ${s.id}: its input topics ${sourcesOf.get(s.id)!.join(', ')} have different partition counts ` +
          `(${inputCounts.join(', ')}). Joined or merged inputs of a stateful operation must have the same number of partitions: repartition one side.`,
      );
    }
    tasks.set(s.id, Math.max(1, ...(inputCounts as number[])));
  }
  const changelogs = new Map<string, string>();
  const toCreate: NewTopic[] = [];
  for (const [name, def] of internal) {
    const t = topicName(name);
    if (def.kind === 'repartition') toCreate.push({ topic: t, partitions: counts.get(t)! });
  }
  for (const s of subs) {
    for (const store of s.stores) {
      const def = topology.stores.get(store)!;
      if (!def.builder.loggingEnabled) continue;
      const t = `${applicationId}-${store}-changelog`;
      changelogs.set(store, t);
      counts.set(t, tasks.get(s.id)!);
      toCreate.push({ topic: t, partitions: tasks.get(s.id)!, config: { 'cleanup.policy': 'compact' } });
    }
  }
  await admin.createTopics(toCreate);
  return { applicationId, topicName, tasksPerSubtopology: tasks, partitionCounts: counts, sourceTopics: sourcesOf, changelogs };
}

/**
 * Kafka Streams does not create a dead-letter topic: KIP-1034 ("This topic would not be automatically created by
 * Kafka Streams"; errors.dead.letter.queue.topic.name). A missing one would only show when the first bad record
 * is dead-lettered, so it is checked at start, before any record is processed.
 */
async function requireDeadLetterTopics(
  config: Pick<ResolvedConfig, 'deserializationExceptionHandler' | 'processingExceptionHandler'>,
  admin: Admin,
): Promise<void> {
  const wanted = new Map<string, string>();
  for (const option of ['deserializationExceptionHandler', 'processingExceptionHandler'] as const) {
    const handler = config[option];
    if (typeof handler === 'object' && !wanted.has(handler.deadLetterTopic)) wanted.set(handler.deadLetterTopic, option);
  }
  if (wanted.size === 0) return;
  const existing = await admin.partitionCounts([...wanted.keys()]);
  const missing = [...wanted].filter(([topic]) => !existing.has(topic));
  if (missing.length === 0) return;
  const [topic, option] = missing[0]!;
  throw new StreamsError(
    `Dead-letter topic '${topic}' (${option}) does not exist. Kafka Streams does not create dead-letter topics: ` +
      `create it before starting the application, e.g. \`await cluster.createTopic('${topic}', { partitions: 1 })\` on the ` +
      `embedded cluster, or \`kafka-topics.sh --create --topic ${topic} --partitions 1\` on a Kafka cluster.`,
    'MISSING_DEAD_LETTER_TOPIC',
  );
}

function isInternal(topic: string, applicationId: string, internal: Topology['internalTopics']): boolean {
  return topic.startsWith(`${applicationId}-`) && internal.has(topic.slice(applicationId.length + 1));
}
