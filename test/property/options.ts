/**
 * fast-check options for the property tests. The seed is random per run unless
 * `PROPERTY_SEED` is set, and is printed with the property's name and run count,
 * so any failure in CI can be replayed with `PROPERTY_SEED=<seed>` (fast-check
 * also prints the seed and shrunk counterexample when a property fails).
 * `PROPERTY_RUNS_SCALE` multiplies the run counts.
 */
import type { Parameters } from 'fast-check';

const fixed = process.env.PROPERTY_SEED;
/** One seed for the whole run: printed once per property below. */
export const SEED = fixed !== undefined && fixed !== '' ? Number(fixed) : (Math.random() * 2 ** 31) | 0;

/** `PROPERTY_RUNS_SCALE=10` multiplies every run count, for a longer search than CI's. */
const SCALE = Number(process.env.PROPERTY_RUNS_SCALE || 1);

/** `runs` × PROPERTY_RUNS_SCALE runs from the run's seed; logs `property <name>: <runs> runs, seed <seed>`. */
export function propertyOptions<T>(name: string, runs: number): Parameters<T> {
  const numRuns = Math.round(runs * SCALE);
  console.log(`property ${name}: ${numRuns} runs, seed ${SEED}`);
  return { numRuns, seed: SEED };
}
