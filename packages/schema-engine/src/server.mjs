// The schema engine's JSON-RPC 2.0 protocol as the Prisma CLI speaks it: one request per line on
// stdin, one response per line on stdout, JSON log lines on stderr. Requests run one at a time.
import { createInterface } from "node:readline";
import { createDatabase, pgUrl } from "./adapter.mjs";
import { logLine } from "./cli.mjs";
import { describeError, migrationFailure, NO_FILTER, openEngine } from "./engine.mjs";

/** Methods served straight from the WebAssembly engine, under the same names. */
const DIRECT = [
  "dbExecute",
  "devDiagnostic",
  "diagnoseMigrationHistory",
  "ensureConnectionValidity",
  "introspect",
  "introspectSql",
  "markMigrationApplied",
  "markMigrationRolledBack",
  "reset",
  "schemaPush",
];

function rpcError(error) {
  const { message, errorCode, isPanic, backtrace } = describeError(error);
  if (isPanic) {
    return { code: 4466, message, data: { is_panic: true, message, backtrace, error: { message } } };
  }
  return {
    code: 4466,
    message: "An error happened. Check the data field for details.",
    data: { is_panic: false, message, meta: null, error_code: errorCode ?? null },
  };
}

/**
 * Serves requests until stdin closes, then releases the engine.
 * @param {{ datasource: { url: string, shadowDatabaseUrl?: string | null }, datamodels?: [string, string][] }} options
 * @returns {Promise<void>} resolved once stdin has closed and everything is released
 */
export function serve({ datasource, datamodels }) {
  const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
  const pendingPrints = new Map();
  let nextPrintId = 1;
  const opened = new Map();

  const forwardLog = (line) => process.stderr.write(`${String(line).replace(/\n/g, " ")}\n`);
  const open = (source) => {
    const key = JSON.stringify(source);
    if (!opened.has(key)) opened.set(key, openEngine({ datasource: source, datamodels, onLog: forwardLog }));
    return opened.get(key);
  };
  const engine = () => open(datasource).then((handle) => handle.engine);
  /** For diffs that never read the main database: the engine checks its server's version when
   * it starts, so when the main database does not exist yet, start it on the maintenance one. */
  const offlineEngine = () =>
    engine().catch((error) => {
      if (!datasource.url) throw error;
      return open({ ...datasource, url: String(pgUrl(datasource.url, "postgres")) }).then(
        (handle) => handle.engine,
        () => {
          throw error;
        },
      );
    });
  const readsDatabase = (target) => target?.tag === "schemaDatasource" || target?.tag === "url";

  /** Asks the CLI to print `content` on its stdout (the native engine's way of returning diffs). */
  function print(content) {
    const id = nextPrintId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => pendingPrints.delete(id) && resolve(), 30_000);
      pendingPrints.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
      send({ jsonrpc: "2.0", id, method: "print", params: { content } });
    });
  }

  /** The WASM engine's createMigration/evaluateDataLoss cannot open a shadow database by
   * themselves; diagnosing the history with a shadow database first prepares what they need. */
  async function withShadowDatabase(method, params) {
    const e = await engine();
    await e.diagnoseMigrationHistory({
      migrationsList: params.migrationsList,
      optInToShadowDatabase: true,
      filters: params.filters ?? NO_FILTER,
    });
    return e[method](params);
  }

  async function dispatch(method, params) {
    if (DIRECT.includes(method)) return (await engine())[method](params);
    switch (method) {
      case "applyMigrations": {
        const handle = await open(datasource);
        try {
          return await handle.engine.applyMigrations(params);
        } catch (error) {
          throw migrationFailure(error, params.migrationsList, handle.lastScriptFailure());
        }
      }
      case "createMigration":
      case "evaluateDataLoss":
        return withShadowDatabase(method, params);
      case "diff": {
        const live = readsDatabase(params.from) || readsDatabase(params.to);
        const result = await (await (live ? engine() : offlineEngine())).diff(params);
        if (result.stdout != null) await print(result.stdout);
        return { exitCode: result.exitCode, stdout: null };
      }
      case "getDatabaseVersion":
        return (await engine()).version(params);
      case "createDatabase": {
        const source = params?.datasource;
        const url = source?.tag === "ConnectionString" ? source.url : datasource.url;
        return { databaseName: await createDatabase(url) };
      }
      case "debugPanic":
        return (await engine()).debugPanic();
      default: {
        const error = new Error(`Method not found: ${method}`);
        error.rpcCode = -32601;
        throw error;
      }
    }
  }

  async function handle(request) {
    try {
      const result = await dispatch(request.method, request.params ?? {});
      send({ jsonrpc: "2.0", id: request.id, result: result ?? {} });
    } catch (error) {
      if (error?.rpcCode) {
        send({ jsonrpc: "2.0", id: request.id, error: { code: error.rpcCode, message: error.message } });
      } else {
        const rpc = rpcError(error);
        logLine("ERROR", { message: rpc.data.message, ...(rpc.data.error_code ? { error_code: rpc.data.error_code } : {}) });
        send({ jsonrpc: "2.0", id: request.id, error: rpc });
      }
    }
  }

  let queue = Promise.resolve();
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on("line", (line) => {
    if (!line.trim()) return;
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      send({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
      return;
    }
    if (message.method === undefined) {
      // A reply to one of our `print` requests.
      pendingPrints.get(message.id)?.();
      pendingPrints.delete(message.id);
      return;
    }
    queue = queue.then(() => handle(message));
  });

  return new Promise((resolve) => {
    lines.on("close", () => {
      queue
        .then(async () => {
          for (const handle of opened.values()) await (await handle.catch(() => null))?.close();
        })
        .catch(() => {})
        .finally(resolve);
    });
  });
}
