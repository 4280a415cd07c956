import { sleep } from "./access-fixtures";

/**
 * For tests whose outcome is a boundary in time (an expiry, a lock's end): the boundary is read
 * from the server's own clock, and a stall of the machine may make an attempt inconclusive but
 * never decides it.
 */

/** Sleeps until the clock is past this instant (ms since the epoch). */
export async function sleepUntilPast(instant: number): Promise<void> {
  while (Date.now() <= instant) await sleep(instant - Date.now() + 1);
}

/**
 * Runs a proof until an attempt is conclusive. An attempt returns null when it has proved its
 * point, or why the machine made it inconclusive: it stalled past the boundary (a session's
 * expiry, a lock's end) before the proof was done, so the server's answer was legitimately the
 * later one (the attempt has checked that against the boundary the server stated). A new attempt
 * then starts afresh (a new session, a new user).
 */
export async function proveDespiteStalls(attempt: () => Promise<string | null>, attempts = 5): Promise<void> {
  const stalls: string[] = [];
  while (stalls.length < attempts) {
    const stall = await attempt();
    if (stall === null) {
      if (stalls.length > 0) console.log(`inconclusive attempts before the proof: ${stalls.join("; ")}`);
      return;
    }
    stalls.push(stall);
  }
  throw new Error(`the machine stalled past the boundary in every attempt: ${stalls.join("; ")}`);
}
