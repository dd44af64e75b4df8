/**
 * fast-check options for the property tests. The seed is random per run unless
 * `PROPERTY_SEED` is set, and is printed with the property's name and run count,
 * so any failure in CI can be replayed with `PROPERTY_SEED=<seed>` (fast-check
 * also prints the seed and shrunk counterexample when a property fails).
 */
import type { Parameters } from 'fast-check';

const fixed = process.env.PROPERTY_SEED;
/** One seed for the whole run: printed once per property below. */
export const SEED = fixed !== undefined && fixed !== '' ? Number(fixed) : (Math.random() * 2 ** 31) | 0;

/** `numRuns` runs from the run's seed; logs `property <name>: <runs> runs, seed <seed>`. */
export function propertyOptions<T>(name: string, numRuns: number): Parameters<T> {
  console.log(`property ${name}: ${numRuns} runs, seed ${SEED}`);
  return { numRuns, seed: SEED };
}
