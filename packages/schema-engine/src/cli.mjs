// `schema-engine cli <command>`: the one-shot subcommands the Prisma CLI runs before migrating
// (can-connect-to-database, create-database), answering as the native engine does: exit code 0,
// or exit code 1 with a JSON ERROR log line on stderr carrying a Prisma error code.
import { createDatabase, databaseName, runOnce } from "./adapter.mjs";

/** One JSON log line on stderr, in the native engine's tracing format. */
export function logLine(level, fields, target = "schema_engine::logger") {
  process.stderr.write(`${JSON.stringify({ timestamp: new Date().toISOString(), level, fields, target })}\n`);
}

function hostPort(url) {
  const parsed = new URL(url);
  return `${decodeURIComponent(parsed.hostname) || "localhost"}:${parsed.port || "5432"}`;
}

/** Maps a node-postgres error to the user-facing error the native engine reports. */
export function connectionError(error, url) {
  const at = hostPort(url);
  const database = databaseName(url);
  const user = decodeURIComponent(new URL(url).username) || "postgres";
  switch (error?.code) {
    case "3D000":
      return {
        error_code: "P1003",
        message: `Database \`${database}\` does not exist on the database server at \`${at}\`.`,
      };
    case "42P04":
      return { error_code: "P1009", message: `Database \`${database}\` already exists on the database server at \`${at}\`` };
    case "28P01":
    case "28000":
      return {
        error_code: "P1000",
        message: `Authentication failed against database server, the provided database credentials for \`${user}\` are not valid.\n\nPlease make sure to provide valid database credentials for the database server at \`${at}\`.`,
      };
    case "42501":
      return { error_code: "P1010", message: `User \`${user}\` was denied access on the database \`${database}\`` };
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EHOSTUNREACH":
    case "ETIMEDOUT":
    case "EAI_AGAIN":
      return {
        error_code: "P1001",
        message: `Can't reach database server at \`${at}\`\n\nPlease make sure your database server is running at \`${at}\`.`,
      };
    default:
      return { message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Runs a `cli` subcommand and returns the process exit code.
 * @param {string} command
 * @param {{ url?: string }} datasource
 */
export async function runCliCommand(command, datasource) {
  // The Prisma CLI skips the first stderr line before parsing the rest as JSON.
  logLine("INFO", { message: `Starting schema engine CLI (wasm): ${command}` }, "schema_engine_cli");
  const url = datasource?.url;
  if (!url) {
    logLine("ERROR", { message: "The datasource URL is missing (pass --datasource '{\"url\":…}')." });
    return 1;
  }
  try {
    switch (command) {
      case "can-connect-to-database":
        await runOnce(url, "SELECT 1");
        logLine("INFO", { message: "Connection successful" }, "schema_engine_cli");
        return 0;
      case "create-database": {
        const name = await createDatabase(url);
        logLine("INFO", { message: `Database '${name}' was successfully created.` }, "schema_engine_cli");
        return 0;
      }
      default:
        logLine("ERROR", { message: `Unknown cli command: ${command}` });
        return 1;
    }
  } catch (error) {
    logLine("ERROR", connectionError(error, url));
    return 1;
  }
}
