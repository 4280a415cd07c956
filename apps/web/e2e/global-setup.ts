/**
 * Once per run: build the dashboard (unless E2E_SKIP_BUILD=1), migrate a database, start the
 * API and `next start`, and a small control server through which tests stop and restart the
 * API on the same port. Everything is torn down at the end.
 */
import { createServer, type Server } from "node:http";
import { createMigratedDatabase, type TestDatabase } from "@fxbt/db/testing";
import type { TestProject } from "vitest/node";
import { type ApiOptions, buildWeb, type Child, freePort, startApi, startWeb } from "./servers";

export interface E2EContext {
  /** http://127.0.0.1:<port>/graphql */
  apiUrl: string;
  /** http://127.0.0.1:<port> */
  apiOrigin: string;
  /** http://127.0.0.1:<port> of `next start` */
  webUrl: string;
  databaseUrl: string;
  /** POST <controlUrl>/api/stop, /api/start: the API goes down or comes back on its port. */
  controlUrl: string;
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

    const [apiPort, webPort, controlPort] = await distinctPorts(3);
    const webUrl = `http://127.0.0.1:${webPort}`;
    const apiOrigin = `http://127.0.0.1:${apiPort}`;
    const apiOptions: ApiOptions = { databaseUrl: database.url, port: apiPort, webOrigin: webUrl };

    let api: Child | null = await startApi(apiOptions);
    cleanups.push(async () => api?.stop());

    const web = await startWeb({ port: webPort, apiUrl: `${apiOrigin}/graphql` });
    cleanups.push(() => web.stop());

    const control = await controlServer(controlPort, {
      async stop() {
        await api?.stop();
        api = null;
      },
      async start() {
        if (!api) api = await startApi(apiOptions);
      },
    });
    cleanups.push(() => new Promise((resolve) => control.close(resolve)));

    project.provide("e2e", {
      apiUrl: `${apiOrigin}/graphql`,
      apiOrigin,
      webUrl,
      databaseUrl: database.url,
      controlUrl: `http://127.0.0.1:${controlPort}`,
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

/** POST /api/stop and /api/start, answered once the API is down or ready again. */
function controlServer(port: number, actions: Record<"stop" | "start", () => Promise<void>>): Promise<Server> {
  const server = createServer((req, res) => {
    const action = req.method === "POST" ? req.url?.match(/^\/api\/(stop|start)$/)?.[1] : undefined;
    if (action !== "stop" && action !== "start") {
      res.writeHead(404).end();
      return;
    }
    actions[action]().then(
      () => res.writeHead(204).end(),
      (error: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(String(error)),
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}
