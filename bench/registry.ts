/** Every benchmark workload, in the order `npm run bench` runs them. Add new workloads here. */
import type { Workload } from './types.js';
import { workload as statelessChain } from './workloads/stateless-chain.js';

export const workloads: readonly Workload[] = [statelessChain];
