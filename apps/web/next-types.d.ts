// The ambient types Next.js provides (CSS imports, images). Committed instead of the
// generated next-env.d.ts, which `next build` rewrites and so stays out of git.
/// <reference types="next" />
/// <reference types="next/image-types/global" />
