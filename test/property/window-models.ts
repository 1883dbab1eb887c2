/**
 * Plain reference models of windowed aggregations for the property tests: maps and loops over the input records,
 * with Kafka Streams' stream time, grace and late-drop rules, and no stores, serdes or bytes.
 */
import fc from 'fast-check';

export interface In {
  key: string;
  value: number;
  timestamp: number;
}

export interface Out {
  key: string;
  start: number;
  end: number;
  value: number | null;
  timestamp: number;
}

/**
 * Records whose timestamps follow a rising base (steps 0..maxStep) with jitter back of up to maxJitter, and,
 * when lateBy is given, some records far in the past (lateBy.min..lateBy.max before the base).
 */
export function windowedRecords(opts: { keys?: string[]; maxStep: number; maxJitter: number; lateBy?: { min: number; max: number }; maxLength?: number }) {
  const keys = opts.keys ?? ['a', 'b', 'c'];
  const late = opts.lateBy;
  return fc
    .array(
      fc.tuple(
        fc.constantFrom(...keys),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: opts.maxStep }),
        fc.integer({ min: 0, max: opts.maxJitter }),
        late ? fc.option(fc.integer({ min: late.min, max: late.max }), { freq: 6, nil: undefined }) : fc.constant(undefined),
      ),
      { maxLength: opts.maxLength ?? 40 },
    )
    .map((items) => {
      let base = 0;
      return items.map(([key, value, step, jitter, lateBy]): In => {
        base += step;
        return { key, value, timestamp: Math.max(0, base - (lateBy ?? jitter)) };
      });
    });
}

/** Tumbling/hopping windows: every update in order, the final table, and the late drops (one per closed window). */
export function timeWindowModel(records: In[], size: number, advance: number, grace: number) {
  const table = new Map<string, Out>();
  const out: Out[] = [];
  let streamTime = -1;
  let dropped = 0;
  for (const r of records) {
    streamTime = Math.max(streamTime, r.timestamp);
    for (let start = 0; start <= r.timestamp; start += advance) {
      const end = start + size;
      if (r.timestamp >= end) continue;
      if (end <= streamTime - grace) {
        dropped++;
        continue;
      }
      const id = `${r.key}@${start}`;
      const prev = table.get(id);
      const next: Out = { key: r.key, start, end, value: (prev?.value ?? 0) + r.value, timestamp: Math.max(r.timestamp, prev?.timestamp ?? -1) };
      table.set(id, next);
      out.push(next);
    }
  }
  return { out, table, dropped };
}

/**
 * Sliding windows (for inputs where a record is either entirely late or lands only in open windows): a window
 * [s, s + d] exists for each accepted record t as its left window (s = t - d, or 0 when t < d) and as its right
 * window (s = t + 1) when an accepted record lies in (t, t + d]; its value sums the accepted records in it.
 */
export function slidingWindowModel(records: In[], d: number, grace: number) {
  let streamTime = -1;
  let dropped = 0;
  const accepted: In[] = [];
  for (const r of records) {
    streamTime = Math.max(streamTime, r.timestamp);
    if (r.timestamp + 1 + d <= streamTime - grace) dropped++;
    else accepted.push(r);
  }
  const table = new Map<string, Out>();
  for (const r of accepted) {
    const mine = accepted.filter((x) => x.key === r.key);
    const starts = [r.timestamp < d ? 0 : r.timestamp - d];
    if (mine.some((x) => x.timestamp > r.timestamp && x.timestamp <= r.timestamp + d)) starts.push(r.timestamp + 1);
    for (const start of starts) {
      const inside = mine.filter((x) => x.timestamp >= start && x.timestamp <= start + d);
      table.set(`${r.key}@${start}`, {
        key: r.key,
        start,
        end: start + d,
        value: inside.reduce((s, x) => s + x.value, 0),
        timestamp: Math.max(...inside.map((x) => x.timestamp)),
      });
    }
  }
  return { table, dropped };
}

/**
 * Session windows, Kafka Streams' rules on plain lists: a record joins the sessions within the gap; the merged
 * session replaces them (each removed one is a tombstone) unless it ends before stream time - grace - gap (late).
 */
export function sessionWindowModel(records: In[], gap: number, grace: number) {
  const sessions = new Map<string, { start: number; end: number; value: number }[]>();
  const out: Out[] = [];
  let streamTime = -1;
  let dropped = 0;
  for (const r of records) {
    streamTime = Math.max(streamTime, r.timestamp);
    const list = sessions.get(r.key) ?? [];
    const hit = list.filter((s) => s.end >= r.timestamp - gap && s.start <= r.timestamp + gap).sort((a, b) => a.end - b.end || a.start - b.start);
    const start = Math.min(r.timestamp, ...hit.map((s) => s.start));
    const end = Math.max(r.timestamp, ...hit.map((s) => s.end));
    if (end < streamTime - grace - gap) {
      dropped++;
      continue;
    }
    const same = start === r.timestamp && end === r.timestamp;
    for (const s of hit) if (!same) out.push({ key: r.key, start: s.start, end: s.end, value: null, timestamp: s.end });
    const value = hit.reduce((sum, s) => sum + s.value, 0) + r.value;
    sessions.set(r.key, [...list.filter((s) => !hit.includes(s)), { start, end, value }]);
    out.push({ key: r.key, start, end, value, timestamp: end });
  }
  return { out, sessions, dropped };
}

/** Sessions by plain clustering: per key, sorted timestamps split where consecutive ones are more than `gap` apart. */
export function sessionClusters(records: In[], gap: number): Map<string, { start: number; end: number; value: number }[]> {
  const byKey = new Map<string, In[]>();
  for (const r of records) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  const out = new Map<string, { start: number; end: number; value: number }[]>();
  for (const [key, rs] of byKey) {
    const sorted = [...rs].sort((a, b) => a.timestamp - b.timestamp);
    const clusters: { start: number; end: number; value: number }[] = [];
    for (const r of sorted) {
      const last = clusters[clusters.length - 1];
      if (last && r.timestamp - last.end <= gap) {
        last.end = r.timestamp;
        last.value += r.value;
      } else clusters.push({ start: r.timestamp, end: r.timestamp, value: r.value });
    }
    out.set(key, clusters);
  }
  return out;
}
