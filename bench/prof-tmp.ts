import { workload } from './workloads/word-count-memory.js';
await workload.run({ records: 300_000 });
const r = await workload.run({ records: 300_000 });
console.log(Math.round(r.sluice.recordsPerSec), Math.round(r.baseline!.recordsPerSec));
