import { soakOnce } from './soak/soak-run.js';
import { formatSoakLine } from './soak/soak-report.js';
const r = await soakOnce({ seed: Number(process.argv[2]), seconds: Number(process.argv[3]), guarantee: process.argv[4] as any, faults: process.argv[5] === 'faults' });
console.log(formatSoakLine(r, true).slice(0, 3000));
