/**
 * KafkaErrors raised by the embedded cluster. `kafkaCode` uses the Kafka protocol's error names, so the runtime
 * can treat errors from the embedded cluster and from real brokers (kafkajs adapter) alike.
 */
import { KafkaError, ProducerFencedError } from '../../errors.js';

export function unknownTopic(topic: string): KafkaError {
  return new KafkaError(
    `Topic '${topic}' does not exist on the embedded cluster. Create it first (cluster.createTopic or admin.createTopics); ` +
      `the embedded cluster does not auto-create topics.`,
    { kafkaCode: 'UNKNOWN_TOPIC_OR_PARTITION' },
  );
}

export function unknownPartition(topic: string, partition: number, count: number): KafkaError {
  return new KafkaError(
    `Partition ${partition} of topic '${topic}' does not exist (the topic has ${count} partition(s)).`,
    { kafkaCode: 'UNKNOWN_TOPIC_OR_PARTITION' },
  );
}

export function clientCrashed(kind: string): KafkaError {
  return new KafkaError(
    `This ${kind} belongs to an application instance that was crashed with cluster.crash(); it cannot be used any more. ` +
      `Create a new instance to continue.`,
    { kafkaCode: 'CLIENT_CRASHED' },
  );
}

export function clientClosed(kind: string): KafkaError {
  return new KafkaError(`This ${kind} was closed; create a new one to continue.`, { kafkaCode: 'CLIENT_CLOSED' });
}

export function clusterClosed(): KafkaError {
  return new KafkaError('The embedded Kafka cluster was closed; no further calls are possible.', {
    kafkaCode: 'CLUSTER_CLOSED',
  });
}

export function noGroupId(what: string): KafkaError {
  return new KafkaError(`Cannot ${what}: the consumer was created without a groupId. Pass groupId in the consumer options.`, {
    kafkaCode: 'INVALID_GROUP_ID',
  });
}

export function unknownMember(groupId: string, memberId: string): KafkaError {
  return new KafkaError(
    `Member '${memberId}' is no longer in consumer group '${groupId}' (its session expired, it left, or it crashed); ` +
      `its partitions were reassigned. Rejoin the group by polling again.`,
    { kafkaCode: 'UNKNOWN_MEMBER_ID' },
  );
}

export function illegalGeneration(groupId: string, given: number, current: number): KafkaError {
  return new KafkaError(
    `Commit for consumer group '${groupId}' used generation ${given} but the group is at generation ${current}: ` +
      `the group rebalanced and the partitions may belong to another member now. Poll to rejoin, then retry.`,
    { kafkaCode: 'ILLEGAL_GENERATION' },
  );
}

export function staleGeneration(groupId: string, memberId: string, given: number, current: number, inGroup: boolean): ProducerFencedError {
  return new ProducerFencedError(
    `Offsets sent to the transaction for consumer group '${groupId}' carry ` +
      (inGroup
        ? `generation ${given}, but the group is at generation ${current}`
        : `member '${memberId}', which is no longer in the group`) +
      `: this member is a zombie whose partitions moved to another member. Abort the transaction and rejoin the group.`,
  );
}

export function unstableOffset(groupId: string, key: string): KafkaError {
  return new KafkaError(
    `Consumer group '${groupId}' has a pending transactional offset commit for ${key}; retry once that transaction completes.`,
    { kafkaCode: 'UNSTABLE_OFFSET_COMMIT', retriable: true },
  );
}

export function invalidRecord(topic: string, why: string): KafkaError {
  return new KafkaError(`Record rejected by topic '${topic}': ${why}.`, { kafkaCode: 'INVALID_RECORD' });
}

/** The default error of the fault hooks: retriable, like a broker that briefly lost leadership. */
export function injectedFault(what: string): KafkaError {
  return new KafkaError(`Injected fault: ${what} failed (embedded cluster fault hook).`, {
    kafkaCode: 'NOT_LEADER_OR_FOLLOWER',
    retriable: true,
  });
}
