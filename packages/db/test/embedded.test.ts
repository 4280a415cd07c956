import { chmod, mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src";

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe("the embedded default (no DATABASE_URL)", () => {
  it("initialises a PostgreSQL server under the data directory, migrates it, and keeps data across restarts", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "fxbt-embedded-"));
    dirs.push(dir);
    // As root, PostgreSQL runs as the "postgres" user, which must be able to reach the data directory.
    await chmod(dir, 0o755);
    const options = { embeddedDataDir: path.join(dir, "postgres"), embeddedPort: await freePort() };

    const first = await openDatabase(options);
    try {
      expect(first.embedded).toBe(true);
      expect(first.appliedMigrations.length).toBeGreaterThan(0);
      await first.prisma.batchUidCounter.create({ data: { day: "20261121", lastValue: 7 } });
      const [row] = await first.prisma.$queryRaw<{ version: string }[]>`SELECT version()`;
      expect(row?.version).toMatch(/^PostgreSQL 17\./);
    } finally {
      await first.close();
    }

    const second = await openDatabase(options);
    try {
      expect(second.appliedMigrations).toEqual([]);
      expect(await second.prisma.batchUidCounter.findUnique({ where: { day: "20261121" } })).toMatchObject({ lastValue: 7 });
    } finally {
      await second.close();
    }
  }, 120_000);
});
