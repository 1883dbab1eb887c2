/**
 * Test helper: librdkafka's mock cluster (test/wire/mock-cluster.c) as a child process, driven over stdin.
 * Also holds the kafkajs workaround the mock needs; it is applied only from here (test setup), never by the library.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const BINARY = join(here, 'mock-cluster');
const INSTALL_SCRIPT = join(here, '..', '..', '.ci', 'install-wire-deps.sh');

/** Kafka protocol API keys, for `pushErrors`. */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  SyncGroup: 14,
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  TxnOffsetCommit: 28,
} as const;

export interface MockCluster {
  readonly bootstrapServers: string[];
  createTopic(name: string, partitions: number): Promise<void>;
  brokerDown(id: number): Promise<void>;
  brokerUp(id: number): Promise<void>;
  /** The next `count` requests of `apiKey` fail with Kafka error code `errorCode` (-195 = disconnect). */
  pushErrors(apiKey: number, errorCode: number, count?: number): Promise<void>;
  setCoordinator(type: 'group' | 'transaction', key: string, brokerId: number): Promise<void>;
  /** Move the leader of one partition (clients find out through NOT_LEADER errors and metadata refresh). */
  setLeader(topic: string, partition: number, brokerId: number): Promise<void>;
  stop(): Promise<void>;
}

/** Build the helper if needed (the script is idempotent and installs librdkafka-dev only when missing). */
function ensureBinary(): void {
  if (existsSync(BINARY)) return;
  try {
    execFileSync('bash', [INSTALL_SCRIPT], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`The mock cluster helper is missing and could not be built: run ${INSTALL_SCRIPT} (${String(e)})`);
  }
}

export async function startMockCluster(options: { brokers?: number } = {}): Promise<MockCluster> {
  ensureBinary();
  installKafkajsMockWorkarounds();
  const child: ChildProcessWithoutNullStreams = spawn(BINARY, [String(options.brokers ?? 3)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let dead = false;
  void exited.then(() => {
    dead = true;
    for (const w of waiting.splice(0)) w(`ERR mock cluster exited${stderr ? `: ${stderr.trim()}` : ''}`);
  });
  lines.on('line', (line) => waiting.shift()?.(line));
  const nextLine = (): Promise<string> =>
    new Promise((resolve) => {
      if (dead) resolve('ERR mock cluster exited');
      else waiting.push(resolve);
    });

  const first = await nextLine();
  if (!first.startsWith('BOOTSTRAP ')) throw new Error(`mock cluster did not start: ${first} ${stderr}`);
  const bootstrapServers = first.slice('BOOTSTRAP '.length).trim().split(',');

  // Commands are answered in order, one line each; serialize them so answers match.
  let chain: Promise<unknown> = Promise.resolve();
  const command = (cmd: string): Promise<void> => {
    const run = chain.then(async () => {
      const answer = nextLine();
      child.stdin.write(`${cmd}\n`);
      const line = await answer;
      if (line !== 'OK') throw new Error(`mock cluster: '${cmd}' failed: ${line}`);
    });
    chain = run.catch(() => undefined);
    return run;
  };

  return {
    bootstrapServers,
    createTopic: (name, partitions) => command(`topic ${name} ${partitions}`),
    brokerDown: (id) => command(`down ${id}`),
    brokerUp: (id) => command(`up ${id}`),
    pushErrors: (apiKey, errorCode, count = 1) => command(`error ${apiKey} ${errorCode} ${count}`),
    setCoordinator: (type, key, brokerId) => command(`coordinator ${type} ${key} ${brokerId}`),
    setLeader: (topic, partition, brokerId) => command(`leader ${topic} ${partition} ${brokerId}`),
    async stop() {
      if (dead) return;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

let patched = false;

/**
 * librdkafka's mock reports controller id 0 in Metadata, and no broker has id 0 (they are 1..N). kafkajs looks
 * the controller up for admin calls and for InitProducerId of idempotent producers ("Broker 0 not found"). Patch
 * kafkajs' Broker#metadata (shared by every kafkajs client in this process: same CommonJS module) so an unknown
 * controller id becomes the lowest broker id, as a real cluster would report a live controller.
 */
export function installKafkajsMockWorkarounds(): void {
  if (patched) return;
  patched = true;
  const require = createRequire(import.meta.url);
  const Broker = require('kafkajs/src/broker/index.js') as {
    prototype: { metadata: (this: unknown, topics?: string[]) => Promise<MetadataResponse> };
  };
  const original = Broker.prototype.metadata;
  Broker.prototype.metadata = async function metadata(this: unknown, topics?: string[]): Promise<MetadataResponse> {
    const response = await original.call(this, topics);
    const ids = response.brokers.map((b) => b.nodeId);
    if (ids.length > 0 && !ids.includes(response.controllerId)) response.controllerId = Math.min(...ids);
    return response;
  };
}

interface MetadataResponse {
  brokers: { nodeId: number }[];
  controllerId: number;
}
