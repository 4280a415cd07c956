// @ts-check
/** @type {import("next").NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The domain package (the one status machine) is TypeScript source in the workspace.
  transpilePackages: ["@fxbt/domain"],
  // Only local images (none are remote): nothing is fetched from other hosts.
  images: { remotePatterns: [], unoptimized: true },
  // The monorepo root holds the lockfile; tell Turbopack so it does not guess.
  turbopack: { root: new URL("../..", import.meta.url).pathname },
  // Next 16 writes Turbopack's cache to .next/cache after each build, for the next build to read.
  // CI builds a clean clone once and throws the cache away, so there it is only a cost: a clean
  // build took 36-41 s without it and 61 s with it (20 s of that writing the cache) at load
  // average 8 on the 2-core machine, 170 s (39 s writing) at load 17.
  experimental: { turbopackFileSystemCacheForBuild: process.env.CI !== "true" },
};

export default nextConfig;
