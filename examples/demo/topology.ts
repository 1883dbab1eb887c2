/**
 * The demo's topology and its reference model.
 *
 *   page-views (user -> page)  --groupBy(page)--> count  => store 'views-per-page',  topic 'page-view-counts'
 *   users      (user -> region) table --groupBy(region)--> count => store 'users-per-region', topic 'region-user-counts'
 *
 * The first is a stream aggregation behind a repartition topic (the key changes from user to page). The second is a
 * table aggregation: when a user moves to another region or is deleted (tombstone), the old region is decremented
 * by the subtractor and the new one incremented by the adder.
 *
 * `recompute` is the same computation done directly on the input records; the demo and the tests compare the
 * application's results against it.
 */
import { Consumed, Grouped, KeyValue, Materialized, Produced, Serdes, StreamsBuilder, type Topology } from '../../src/index.js';

export const TOPICS = {
  pageViews: 'page-views',
  users: 'users',
  pageViewCounts: 'page-view-counts',
  regionUserCounts: 'region-user-counts',
} as const;

export const STORES = {
  users: 'users-table',
  viewsPerPage: 'views-per-page',
  usersPerRegion: 'users-per-region',
} as const;

export function buildDemoTopology(): Topology {
  const builder = new StreamsBuilder();

  builder
    .stream(TOPICS.pageViews, Consumed.with(Serdes.String(), Serdes.String()))
    .filter((user, page) => user !== null && page !== null)
    .groupBy((_user, page) => page, Grouped.with(Serdes.String(), Serdes.String()).withName('views-by-page'))
    .count(Materialized.as<string, number>(STORES.viewsPerPage).withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
    .toStream()
    .to(TOPICS.pageViewCounts, Produced.with(Serdes.String(), Serdes.Long()));

  builder
    .table(TOPICS.users, Consumed.with(Serdes.String(), Serdes.String()), Materialized.as<string, string>(STORES.users))
    .groupBy((user, region) => KeyValue.pair(region, user), Grouped.with(Serdes.String(), Serdes.String()).withName('users-by-region'))
    .count(Materialized.as<string, number>(STORES.usersPerRegion).withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
    .toStream()
    .to(TOPICS.regionUserCounts, Produced.with(Serdes.String(), Serdes.Long()));

  return builder.build();
}

export interface DemoResults {
  readonly viewsPerPage: Map<string, number>;
  readonly usersPerRegion: Map<string, number>;
}

/** What the topology must compute from these inputs, in each topic's order (by partition, then offset). */
export function recompute(
  pageViews: Iterable<{ key: string | null; value: string | null }>,
  users: Iterable<{ key: string | null; value: string | null }>,
): DemoResults {
  const viewsPerPage = new Map<string, number>();
  for (const { key, value } of pageViews) {
    if (key === null || value === null) continue;
    viewsPerPage.set(value, (viewsPerPage.get(value) ?? 0) + 1);
  }
  // Users are keyed by user id, so all updates of one user are in one partition, in order: last one wins.
  const regionOf = new Map<string, string>();
  for (const { key, value } of users) {
    if (key === null) continue;
    if (value === null) regionOf.delete(key);
    else regionOf.set(key, value);
  }
  const usersPerRegion = new Map<string, number>();
  // A region that lost all its users keeps a row with 0 (the subtractor leaves 0, not a tombstone).
  for (const { key, value } of users) if (key !== null && value !== null) usersPerRegion.set(value, 0);
  for (const region of regionOf.values()) usersPerRegion.set(region, (usersPerRegion.get(region) ?? 0) + 1);
  return { viewsPerPage, usersPerRegion };
}

/** Human-readable differences between two result maps (empty when equal). */
export function diffCounts(label: string, expected: ReadonlyMap<string, number>, actual: ReadonlyMap<string, number>): string[] {
  const out: string[] = [];
  for (const [k, v] of expected) if (actual.get(k) !== v) out.push(`${label}['${k}']: expected ${v}, got ${actual.get(k) ?? 'nothing'}`);
  for (const [k, v] of actual) if (!expected.has(k)) out.push(`${label}['${k}']: unexpected ${v}`);
  return out;
}
