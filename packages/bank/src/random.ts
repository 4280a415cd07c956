import { hash, randomBytes } from "node:crypto";

/**
 * Randomness of the simulator.
 *
 * Every decision that shapes an outcome (reject or not, the spread of a quote) is a pure
 * function of (seed, operation, request identity) through SHA-256, so a given seed yields the
 * same outcome for the same request whatever the order, the concurrency or the process that
 * serves it. Ids and latencies do not need to be reproducible and use the ordinary sources.
 */

const TWO_POW_48 = 2 ** 48;

/** A number in [0, 1) determined by its inputs alone (48 bits of SHA-256). */
export function hashUnit(seed: string, operation: string, identity: string): number {
  // One-shot (Node 20.12+): the same digest as a Hash object fed the same bytes, without the object.
  const digest = hash("sha256", `${seed}\u0000${operation}\u0000${identity}`, "buffer");
  return digest.readUIntBE(0, 6) / TWO_POW_48;
}

/** A random seed for a simulator created without one. */
export function randomSeed(): string {
  return randomBytes(12).toString("hex");
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/**
 * `prefix` followed by `length` random base32 characters (5 bits each; 20 characters carry
 * 100 bits, so ids never collide in practice). Draws from a pooled buffer: one
 * `randomBytes` call serves hundreds of ids.
 */
export function randomId(prefix: string, length = 20): string {
  if (poolOffset + length > pool.length) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  let id = prefix;
  for (let i = 0; i < length; i++) id += BASE32[pool[poolOffset + i]! & 31];
  poolOffset += length;
  return id;
}
