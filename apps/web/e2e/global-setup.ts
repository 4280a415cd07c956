/**
 * Once per run: build the dashboard (unless E2E_SKIP_BUILD=1), migrate a database, make the
 * harness's API key, start the API and `next start`, and a small control server through which
 * tests stop and restart the API on the same port and get users to sign in with. Everything is
 * torn down at the end.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createMigratedDatabase, type TestDatabase } from "@fxbt/db/testing";
import type { TestProject } from "vitest/node";
import { E2EAccounts, type E2ERole, type NewAccount } from "./accounts";
import { type ApiOptions, buildWeb, type Child, freePort, startApi, startWeb } from "./servers";

export interface E2EContext {
  /** http://127.0.0.1:<port>/graphql */
  apiUrl: string;
  /** http://127.0.0.1:<port> */
  apiOrigin: string;
  /** http://127.0.0.1:<port> of `next start` */
  webUrl: string;
  databaseUrl: string;
  /**
   * POST <controlUrl>/api/stop, /api/start: the API goes down or comes back on its port.
   * POST <controlUrl>/accounts {role, partner?, label?}: a new user with a one-time password.
   */
  controlUrl: string;
  /** An ADMIN API key of no partner: the tests' direct API calls send it (the browser signs in instead). */
  apiKey: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    e2e: E2EContext;
  }
}

export default async function setup(project: TestProject) {
  const cleanups: (() => Promise<unknown>)[] = [];
  const teardown = async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => console.error("[e2e] teardown:", error));
    }
  };
  try {
    if (process.env.E2E_SKIP_BUILD !== "1") buildWeb();

    const database: TestDatabase = await createMigratedDatabase("fxbt_e2e");
    cleanups.push(() => database.drop());
    const accounts = E2EAccounts.open(database.url);
    cleanups.push(() => accounts.close());
    const apiKey = await accounts.createApiKey("ADMIN", "e2e harness");
    // A user before the API's first start: an empty database would make the first-run ADMIN
    // and print its password on the terminal running the tests.
    await accounts.createUser({ role: "ADMIN", label: "first-admin" });

    const [apiPort, webPort, controlPort] = await distinctPorts(3);
    const webUrl = `http://127.0.0.1:${webPort}`;
    const apiOrigin = `http://127.0.0.1:${apiPort}`;
    const apiOptions: ApiOptions = { databaseUrl: database.url, port: apiPort, webOrigin: webUrl };

    let api: Child | null = await startApi(apiOptions);
    cleanups.push(async () => api?.stop());

    const web = await startWeb({ port: webPort, apiUrl: `${apiOrigin}/graphql` });
    cleanups.push(() => web.stop());

    const control = await controlServer(
      controlPort,
      {
        async stop() {
          await api?.stop();
          api = null;
        },
        async start() {
          if (!api) api = await startApi(apiOptions);
        },
      },
      (request) => accounts.createUser(request),
    );
    cleanups.push(() => new Promise((resolve) => control.close(resolve)));

    project.provide("e2e", {
      apiUrl: `${apiOrigin}/graphql`,
      apiOrigin,
      webUrl,
      databaseUrl: database.url,
      controlUrl: `http://127.0.0.1:${controlPort}`,
      apiKey,
    });
    console.log(`[e2e] API ${apiOrigin}/graphql, web ${webUrl}, database ${database.name}`);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

async function distinctPorts(count: 3): Promise<[number, number, number]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports] as [number, number, number];
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
}

type AccountRequest = { role: E2ERole; partner?: string | null; label?: string };

/** POST /api/stop and /api/start, answered once the API is down or ready again; POST /accounts makes a user. */
function controlServer(
  port: number,
  actions: Record<"stop" | "start", () => Promise<void>>,
  createAccount: (request: AccountRequest) => Promise<NewAccount>,
): Promise<Server> {
  const server = createServer((req, res) => {
    const failed = (error: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(String(error));
    if (req.method === "POST" && req.url === "/accounts") {
      readJson(req)
        .then((body) => createAccount(body as AccountRequest))
        .then((account) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(account)), failed);
      return;
    }
    const action = req.method === "POST" ? req.url?.match(/^\/api\/(stop|start)$/)?.[1] : undefined;
    if (action !== "stop" && action !== "start") {
      res.writeHead(404).end();
      return;
    }
    actions[action]().then(() => res.writeHead(204).end(), failed);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}
