// Builds the API for production: src/main.ts and src/admin.ts, with the workspace's packages
// (TypeScript source, as they are in development) bundled in, into dist/ as plain JavaScript for
// `node`. npm packages stay outside the bundle and load from node_modules as usual. tsx runs the
// sources only in development and tests.
//
// How `npm start` runs the build (package.json "start"), measured with bench/rss.ts (100,000
// trades staged and run; the live heap stays about 45 MiB throughout, the rest is garbage V8 has
// not yet collected): --heap-growing-percent=30 lets the old generation grow 1.3× its live size
// before a full collection instead of up to 4× on a machine with much memory, with no hard limit
// that could stop the process; --max-semi-space-size=8 halves the young generation's 16 MiB
// default; MALLOC_ARENA_MAX=2 keeps glibc from an arena per thread. Together with chunked staging
// inserts: peak RSS 265 MiB; 325 MiB with these flags and one-statement inserts; 542–552 MiB
// (two runs of the same day) with `node --enable-source-maps` alone and one-statement inserts.
// Since the CSV is checked record by record and hashed in parts (2026-11-28): 260–272 MiB.
import { readFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(here, "dist");

/** npm packages (anything imported by a bare name but the workspace's @fxbt/*) load at run time. */
const npmPackagesOutside = {
  name: "npm-packages-outside",
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@fxbt/") || args.path.startsWith("node:") ? undefined : { path: args.path, external: true },
    );
  },
};

/**
 * Files found with `new URL("relative", import.meta.url)` (the schema's .graphql files, the
 * migrations, the data folder) stay where they are: each such path is rewritten relative to
 * the bundle, which lives elsewhere than the module that names it.
 */
const filesStayInPlace = {
  name: "files-stay-in-place",
  setup(builder) {
    builder.onLoad({ filter: /\.(ts|mjs)$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      if (!source.includes("import.meta.url")) return undefined;
      const contents = source.replace(/new URL\("(\.{1,2}\/[^"]*)", import\.meta\.url\)/g, (_, path) => {
        const target = resolve(dirname(args.path), path);
        const fromBundle = relative(outdir, target).replaceAll("\\", "/");
        return `new URL(${JSON.stringify(fromBundle.startsWith(".") ? fromBundle : `./${fromBundle}`)}, import.meta.url)`;
      });
      return { contents, loader: args.path.endsWith(".ts") ? "ts" : "js" };
    });
  },
};

await build({
  entryPoints: [resolve(here, "src/main.ts"), resolve(here, "src/admin.ts")],
  outdir,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  // Stack traces keep the source's names.
  keepNames: true,
  logLevel: "warning",
  plugins: [npmPackagesOutside, filesStayInPlace],
});
