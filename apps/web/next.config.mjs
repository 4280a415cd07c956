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
};

export default nextConfig;
