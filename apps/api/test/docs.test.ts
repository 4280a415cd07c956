/**
 * The docs in docs/ cannot rot: every error code, root field, environment variable and metric the
 * code has must be in its page, every GraphQL example must validate against the served schema, and
 * every picture and link the pages name must exist.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BANK_ERROR_CODES } from "@fxbt/bank";
import {
  BATCH_MOVES,
  duplicateFileMessage,
  PERMANENT_FAILURE_CODES,
  TRADE_CSV_COLUMNS,
  TRADE_MOVES,
  UNKNOWN_FAILURE_CODE,
} from "@fxbt/domain";
import { buildSchema, GraphQLEnumType, type GraphQLObjectType, parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { CLOSE_FORBIDDEN, CLOSE_INTERNAL_ERROR, CLOSE_UNAUTHORIZED } from "../src/auth/open-sockets";
import { configFromEnv } from "../src/config";
import { CLOSE_TOO_MANY_SOCKETS } from "../src/rate-limits";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const doc = (name: string) => read(`docs/${name}`);

/** Every `"CODE"` literal in the sources that an error is made with: apiError("X", …), code: "X", send(res, n, "X", …). */
function codesIn(source: string): string[] {
  const patterns = [/apiError\(\s*"([A-Z][A-Z_]+)"/g, /\bcode: "([A-Z][A-Z_]+)"/g, /send\(res, \d+, "([A-Z][A-Z_]+)"/g];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
}

/** The API's sources, every .ts file under apps/api/src. */
function apiSources(dir = join(ROOT, "apps/api/src")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return apiSources(path);
    return entry.name.endsWith(".ts") ? [readFileSync(path, "utf8")] : [];
  });
}

/** Names the page writes as code (`NAME`). */
function codeSpans(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/`([^`\n]+)`/g)].map((match) => match[1]!));
}

const missingFrom = (page: string, names: Iterable<string>) => {
  const spans = codeSpans(doc(page));
  return [...new Set(names)].filter((name) => !spans.has(name)).sort();
};

describe("docs/troubleshooting.md", () => {
  it("explains every error code the API, the exports and the runner can answer with", () => {
    const errorsTs = read("apps/api/src/errors.ts");
    const union = [...(/export type ErrorCode =([^;]+);/.exec(errorsTs)?.[1] ?? "").matchAll(/"([A-Z_]+)"/g)].map((m) => m[1]!);
    const clientCodes = [...(/const CLIENT_CODES = new Set\(\[([^\]]+)\]/.exec(errorsTs)?.[1] ?? "").matchAll(/"([A-Z_]+)"/g)].map(
      (m) => m[1]!,
    );
    const fromSources = apiSources().flatMap(codesIn);
    // The sources were read: each list has what it is known to hold.
    expect(union).toContain("BAD_BATCH_STATE");
    expect(clientCodes).toContain("GRAPHQL_PARSE_FAILED");
    expect(fromSources).toEqual(expect.arrayContaining(["INTERNAL_SERVER_ERROR", "BAD_REQUEST", "SERVICE_UNAVAILABLE"]));
    expect(missingFrom("troubleshooting.md", [...union, ...clientCodes, ...fromSources])).toEqual([]);
  });

  it("explains every code a trade can fail with, and the duplicate-file refusal", () => {
    const runnerCodes = [...read("packages/runner/src/trade-flow.ts").matchAll(/errorCode: "([A-Z_]+)"/g)].map((m) => m[1]!);
    const duplicate = duplicateFileMessage({ batchUid: "B-20261127-0001", createdAt: new Date() }).split(":")[0]!;
    expect(duplicate).toBe("DUPLICATE_FILE");
    expect(
      missingFrom("troubleshooting.md", [
        ...BANK_ERROR_CODES,
        ...PERMANENT_FAILURE_CODES,
        UNKNOWN_FAILURE_CODE,
        ...runnerCodes,
        `${duplicate}:`,
      ]),
    ).toEqual([]);
  });

  it("explains every value of the served schema's code enums (PreviewWarningCode, …)", () => {
    const schema = buildSchema(read("apps/api/schema.graphql"));
    const codes = Object.values(schema.getTypeMap())
      .filter((type): type is GraphQLEnumType => type instanceof GraphQLEnumType && /Code$/.test(type.name))
      .flatMap((type) => type.getValues().map((value) => value.name));
    expect(codes).toContain("LARGE_TRADE");
    expect(missingFrom("troubleshooting.md", codes)).toEqual([]);
  });

  it("explains every WebSocket close code the API sends, and the rules of every CSV column", () => {
    const closeCodes = [CLOSE_UNAUTHORIZED, CLOSE_FORBIDDEN, CLOSE_INTERNAL_ERROR, CLOSE_TOO_MANY_SOCKETS].map(String);
    expect(missingFrom("troubleshooting.md", [...closeCodes, ...TRADE_CSV_COLUMNS])).toEqual([]);
  });
});

describe("docs/api.md", () => {
  const schema = () => buildSchema(read("apps/api/schema.graphql"));

  it("has a section with an example for every query, mutation and subscription of the served schema", () => {
    const page = doc("api.md");
    const served = schema();
    const roots = [served.getQueryType(), served.getMutationType(), served.getSubscriptionType()] as GraphQLObjectType[];
    const fields = roots.flatMap((type) => Object.keys(type.getFields()));
    expect(fields.length).toBeGreaterThan(20);
    const headings = new Set([...page.matchAll(/^#{3,4} `([A-Za-z]+)`/gm)].map((match) => match[1]!));
    expect(fields.filter((field) => !headings.has(field)).sort()).toEqual([]);
    expect([...headings].filter((heading) => !fields.includes(heading)).sort(), "sections for fields the schema no longer has").toEqual([]);
    const used = new Set(graphqlBlocks(page).flatMap((block) => rootFieldsOf(block)));
    expect(fields.filter((field) => !used.has(field)).sort(), "root fields without an example").toEqual([]);
  });

  it("has examples that parse and validate against the served schema", () => {
    const blocks = graphqlBlocks(doc("api.md"));
    const served = schema();
    expect(blocks.length).toBeGreaterThan(20);
    const problems = blocks.flatMap((block) => {
      try {
        return validate(served, parse(block)).map((error) => `${error.message}\n${block}`);
      } catch (error) {
        return [`${(error as Error).message}\n${block}`];
      }
    });
    expect(problems).toEqual([]);
  });
});

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens. */
function headingSlugs(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, "");
  return new Set(
    [...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((match) =>
      match[1]!
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-"),
    ),
  );
}

/** The ```graphql blocks of a page. */
function graphqlBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

/** The root fields an operation document selects. */
function rootFieldsOf(block: string): string[] {
  try {
    return parse(block).definitions.flatMap((definition) =>
      definition.kind === "OperationDefinition"
        ? definition.selectionSet.selections.flatMap((selection) => (selection.kind === "Field" ? [selection.name.value] : []))
        : [],
    );
  } catch {
    return [];
  }
}

describe("docs/operations.md", () => {
  it("documents every environment variable the API reads", () => {
    // Whatever configFromEnv asks its environment for, it reads.
    const names = new Set<string>();
    configFromEnv(
      new Proxy({} as Record<string, string | undefined>, {
        get(_target, name) {
          if (typeof name === "string") names.add(name);
          return undefined;
        },
      }),
    );
    expect(names.size).toBeGreaterThan(40);
    expect(missingFrom("operations.md", names)).toEqual([]);
    // `npm start` runs the API through turbo, which hands a task only the variables it lists:
    // one missing there is documented, and silently ignored.
    const turbo = JSON.parse(read("turbo.json")) as { globalEnv: string[]; tasks: { start: { passThroughEnv: string[] } } };
    const passed = [...turbo.globalEnv, ...turbo.tasks.start.passThroughEnv];
    const reaches = (name: string) =>
      passed.some((pattern) => (pattern.endsWith("*") ? name.startsWith(pattern.slice(0, -1)) : name === pattern));
    expect([...names].filter((name) => !reaches(name)).sort()).toEqual([]);
  });

  it("documents the dashboard's variables and every metric of /metrics", () => {
    const web = [read("apps/web/src/app/layout.tsx"), read("apps/web/package.json")].join("\n");
    const webVariables = [...web.matchAll(/(?:process\.env\.|\$\{)([A-Z][A-Z_]+)/g)].map((m) => m[1]!);
    expect(webVariables).toEqual(expect.arrayContaining(["FXBT_API_URL", "WEB_PORT"]));
    const metrics = [...read("apps/api/src/metrics.ts").matchAll(/"(fxbt_[a-z_]+)"/g)].map((m) => m[1]!);
    expect(metrics.length).toBeGreaterThan(10);
    expect(missingFrom("operations.md", [...webVariables, ...metrics])).toEqual([]);
  });
});

describe("docs/architecture.md", () => {
  /** The arrows of the page's state diagrams, as "FROM --> TO: move". */
  function arrows(): Set<string>[] {
    return [...doc("architecture.md").matchAll(/```mermaid\nstateDiagram-v2\n([\s\S]*?)```/g)].map(
      (match) => new Set(match[1]!.split("\n").map((line) => line.trim())),
    );
  }

  it("draws every move of a trade and of a batch the domain has, and no other", () => {
    const [trade, batch] = arrows();
    const tradeMoves = Object.entries(TRADE_MOVES).flatMap(([name, move]) => move.from.map((from) => `${from} --> ${move.to}: ${name}`));
    const batchMoves = Object.entries(BATCH_MOVES).flatMap(([name, move]) =>
      move.from.flatMap((from) => move.to.map((to) => `${from} --> ${to}: ${name}`)),
    );
    const drawn = (diagram: Set<string> | undefined) => [...(diagram ?? [])].filter((line) => / --> \w+: /.test(line)).sort();
    expect(drawn(trade)).toEqual(tradeMoves.sort());
    expect(drawn(batch)).toEqual(batchMoves.sort());
  });
});

describe("docs/database.md", () => {
  it("names every migration and every table of the schema", () => {
    const migrations = readdirSync(join(ROOT, "prisma/migrations"), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    const tables = [...read("prisma/schema.prisma").matchAll(/@@map\("([a-z_]+)"\)/g)].map((m) => m[1]!);
    expect(tables.length).toBeGreaterThan(5);
    expect(missingFrom("database.md", [...migrations, ...tables])).toEqual([]);
  });
});

describe("docs links and pictures", () => {
  const pages = readdirSync(join(ROOT, "docs")).filter((name) => name.endsWith(".md"));

  it("README links every page of docs/", () => {
    const readme = read("README.md");
    expect(pages.filter((name) => !readme.includes(`(docs/${name})`))).toEqual([]);
  });

  it("every relative link of a page and of README leads to a file that exists", () => {
    const broken = ["README.md", ...pages.map((name) => `docs/${name}`)].flatMap((path) =>
      [...read(path).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
        .map((match) => match[1]!)
        .filter((target) => !/^[a-z]+:/.test(target))
        .filter((target) => !existsSync(join(ROOT, dirname(path), target)))
        .map((target) => `${path} → ${target}`),
    );
    expect(broken).toEqual([]);
  });

  it("every #anchor of a link between pages names a heading of its page", () => {
    const broken = ["README.md", ...pages.map((name) => `docs/${name}`)].flatMap((path) =>
      [...read(path).matchAll(/\]\(([^)#\s]*)#([^)\s]+)\)/g)]
        .filter((match) => !/^[a-z]+:/.test(match[1]!))
        .filter((match) => {
          const target = match[1] ? join(dirname(path), match[1]) : path;
          return !headingSlugs(read(target)).has(match[2]!);
        })
        .map((match) => `${path} → ${match[1]}#${match[2]}`),
    );
    expect(broken).toEqual([]);
  });

  it("the user guide shows exactly the pictures the screenshot test takes", () => {
    const guide = doc("user-guide.md");
    const shown = [...guide.matchAll(/\]\(images\/([a-z0-9-]+)\.png\)/g)].map((m) => m[1]!).sort();
    const taken = [...read("apps/web/e2e/screenshots.test.ts").matchAll(/guideScreenshot\(page, "([a-z0-9-]+)"/g)].map((m) => m[1]!).sort();
    expect(taken.length).toBeGreaterThan(5);
    expect(shown).toEqual(taken);
  });
});
