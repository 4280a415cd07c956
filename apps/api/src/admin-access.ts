import { type OpenDatabase, openDatabase } from "@fxbt/db";
import { type ApiConfig, configFromEnv } from "./config";
import type { Env } from "./env";
import { AccessService } from "./services/access";

/**
 * The server's database (DATABASE_URL, or the embedded one in DATA_DIR, shared when the server is
 * running), open while `work` runs: how the admin command reaches it, and how tests make the keys
 * of the API processes they start without paying for a process of the command each time.
 */
export async function withDatabase<T>(work: (database: OpenDatabase, config: ApiConfig) => Promise<T>, env: Env = process.env): Promise<T> {
  const config = configFromEnv(env);
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    embeddedDataDir: config.dataDir,
    embeddedPort: config.embeddedPort,
    maxConnections: 2,
  });
  try {
    return await work(database, config);
  } finally {
    await database.close();
  }
}

/** The access service (users and keys) on the server's database, as the admin command uses it. */
export const withAccess = <T>(work: (access: AccessService) => Promise<T>, env: Env = process.env): Promise<T> =>
  withDatabase((database, config) => work(new AccessService(database, config.access.lockout)), env);
