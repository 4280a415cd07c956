import { once } from "node:events";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDatabase, type Database } from "../src/client";
import { isDatabaseUnavailable } from "../src/errors";
import { openTcpProxy, type TcpProxy } from "../src/testing";
import { openTestDatabase, type TestContext } from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

/** A port nothing listens on: connecting is refused at once. */
const NOWHERE = "postgresql://postgres@127.0.0.1:1/nowhere";

/** Waits until a statement containing `marker` runs on the test database. */
async function untilRunning(marker: string): Promise<void> {
  for (;;) {
    const { rows } = await t.db.pool.query<{ running: boolean }>(
      "SELECT count(*) > 0 AS running FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid()",
      [marker],
    );
    if (rows[0]?.running) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The error `run` rejects with (it must reject). */
async function errorOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

/**
 * Which errors the API answers as SERVICE_UNAVAILABLE (a temporary condition to retry) instead of
 * INTERNAL_SERVER_ERROR: real errors of the driver and its Prisma adapter, not hand-made shapes.
 */
describe("isDatabaseUnavailable", () => {
  it("the adapter's own error for a server it cannot reach (DriverAdapterError, kind DatabaseNotReachable, unconverted by Prisma)", async () => {
    const error = await errorOf(async () => {
      const adapter = await new PrismaPg({ connectionString: NOWHERE }).connect();
      await adapter.queryRaw({ sql: "SELECT 1", args: [], argTypes: [] });
    });
    expect((error as Error).name).toBe("DriverAdapterError");
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it("the adapter's kinds for a closed connection, a socket timeout and too many connections", () => {
    for (const kind of ["ConnectionClosed", "SocketTimeout", "TooManyConnections"]) {
      expect(isDatabaseUnavailable(Object.assign(new Error(kind), { cause: { kind } })), kind).toBe(true);
    }
  });

  it("pg's refused connection", async () => {
    const client = new pg.Client({ connectionString: NOWHERE });
    expect(isDatabaseUnavailable(await errorOf(() => client.connect()))).toBe(true);
  });

  it("pg's client whose connection the server ended while it was checked out and idle (pg_terminate_backend)", async () => {
    const client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      // pg may report the end twice (the server's FATAL, then the socket's end): `once` hears the
      // first, and the second would be an uncaught 'error' event that fails the run.
      client.on("error", () => {});
      const ended = once(client, "error");
      await t.db.pool.query("SELECT pg_terminate_backend($1)", [rows[0]!.pid]);
      await ended;
      const error = await errorOf(() => client.query("SELECT 1"));
      expect((error as Error).message).toBe("Client has encountered a connection error and is not queryable");
      expect(isDatabaseUnavailable(error)).toBe(true);
    } finally {
      await client.end();
    }
  });

  it("pg's client that was closed (a pool ended at shutdown, a query still to come)", async () => {
    const client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
    await client.end();
    const error = await errorOf(() => client.query("SELECT 1"));
    expect((error as Error).message).toBe("Client was closed and is not queryable");
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  describe("through Prisma, on a connection reset (ECONNRESET) by a proxy in front of the server", () => {
    let proxy: TcpProxy;
    let db: Database;
    /** Called when one of db's pool clients next hears its connection fail. */
    let onConnectionFailure = () => {};
    beforeAll(async () => {
      proxy = await openTcpProxy(new URL(t.database.url));
      const url = new URL(t.database.url);
      url.port = String(proxy.port);
      db = connectDatabase({ url: url.toString(), maxConnections: 1 });
      db.pool.on("connect", (client) => client.on("error", () => onConnectionFailure()));
    });
    afterAll(async () => {
      await db.close();
      await proxy.close();
    });

    it("a raw query running when its connection is reset: Prisma's P2010 'Server has closed the connection.'", async () => {
      const running = errorOf(() => db.prisma.$queryRaw`SELECT pg_sleep(30), 'reset me'`);
      await untilRunning("reset me");
      await proxy.reset();
      const error = await running;
      expect(error).toMatchObject({ code: "P2010", message: expect.stringContaining("Server has closed the connection.") });
      expect(isDatabaseUnavailable(error)).toBe(true);
    });

    it("a transaction's next statement after its connection was reset: pg's 'not queryable' error, passed on by Prisma", async () => {
      const error = await errorOf(() =>
        db.prisma.$transaction(async (tx) => {
          await tx.$queryRaw`SELECT 1`;
          const failed = new Promise<void>((resolve) => {
            onConnectionFailure = resolve;
          });
          await proxy.reset();
          await failed;
          await tx.$queryRaw`SELECT 2`;
        }),
      );
      expect((error as Error).message).toContain("Client has encountered a connection error and is not queryable");
      expect(isDatabaseUnavailable(error)).toBe(true);
    });
  });

  it("not a bug of ours, nor the database refusing a statement", () => {
    expect(isDatabaseUnavailable(new Error("boom"))).toBe(false);
    expect(
      isDatabaseUnavailable(Object.assign(new Error("UniqueConstraintViolation"), { cause: { kind: "UniqueConstraintViolation" } })),
    ).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error("duplicate key"), { code: "P2002" }))).toBe(false);
  });
});
