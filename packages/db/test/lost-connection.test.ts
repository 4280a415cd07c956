import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestContext } from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

/**
 * A connection the server ends (a failover, pg_terminate_backend) while the client is checked out
 * and idle (an export's cursor waiting for a slow reader): the client emits the error on itself,
 * with no query to reject. Without a listener that is an uncaught exception, which ends the whole
 * API; vitest fails the run on one.
 */
describe("a connection lost while its client is checked out and idle", () => {
  it.each(["pool", "exportPool"] as const)("%s: the process goes on, and the pool serves the next query", async (name) => {
    const admin = new pg.Client({ connectionString: t.database.url });
    await admin.connect();
    const pool = t.db[name];
    const client = await pool.connect();
    try {
      const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      await admin.query("SELECT pg_terminate_backend($1)", [rows[0]!.pid]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await expect(client.query("SELECT 1")).rejects.toThrow();
    } finally {
      client.release(true);
      await admin.end();
    }
    const again = await pool.connect();
    try {
      expect((await again.query<{ one: number }>("SELECT 1 AS one")).rows[0]?.one).toBe(1);
    } finally {
      again.release();
    }
  });
});
