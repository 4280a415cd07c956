import type { PrismaClient } from "./generated/prisma/client";

/** Anything that runs raw SQL: the client itself or an interactive transaction. */
export type Queryable = Pick<PrismaClient, "$queryRaw" | "$executeRaw">;
