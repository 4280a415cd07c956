// Builds the API for production: src/main.ts and src/admin.ts, with the workspace's packages
// (TypeScript source, as they are in development) bundled in, into dist/ as plain JavaScript for
// `node`. npm packages stay outside the bundle and load from node_modules as usual. tsx runs the
// sources only in development and tests.
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
