import { readFileSync } from "node:fs";
import pg from "pg";

/** CPU seconds a process has used so far (Linux /proc; null elsewhere or once it is gone). */
export function cpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // utime and stime, fields 14 and 15 of the whole line, in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** What PostgreSQL has done so far for one database: its backends' CPU (server on this machine), WAL, trade updates. */
export interface DatabaseWork {
  /** CPU seconds of the database's backends now connected, by pid (null: the server is not on this machine). */
  backendCpu: Map<number, number> | null;
  walBytes: bigint;
  /** Updates and HOT updates of trade and trade_attempt (the statistics lag up to a second behind). */
  updates: Record<"trade" | "trade_attempt", { all: number; hot: number }>;
}

export async function databaseWork(url: string): Promise<DatabaseWork> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: backends } = await client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    const cpu = new Map(backends.map(({ pid }) => [pid, cpuSeconds(pid)] as const));
    const [{ wal }] = (await client.query<{ wal: string }>(`SELECT (pg_current_wal_lsn() - '0/0')::text AS wal`)).rows as [{ wal: string }];
    const { rows } = await client.query<{ relname: "trade" | "trade_attempt"; all: string; hot: string }>(
      `SELECT relname, n_tup_upd AS all, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relname IN ('trade', 'trade_attempt')`,
    );
    const updates = { trade: { all: 0, hot: 0 }, trade_attempt: { all: 0, hot: 0 } };
    for (const row of rows) updates[row.relname] = { all: Number(row.all), hot: Number(row.hot) };
    return {
      backendCpu: [...cpu.values()].some((seconds) => seconds === null) ? null : (cpu as Map<number, number>),
      walBytes: BigInt(wal),
      updates,
    };
  } finally {
    await client.end();
  }
}

/** Per trade between two readings: PostgreSQL backends' CPU (ms; null if unknown), WAL (kB), and the share of HOT updates. */
export function workPerTrade(before: DatabaseWork, after: DatabaseWork, trades: number) {
  let backendMs: number | null = null;
  if (before.backendCpu && after.backendCpu) {
    let seconds = 0;
    // A backend connected during the run counts from zero.
    for (const [pid, now] of after.backendCpu) seconds += now - (before.backendCpu.get(pid) ?? 0);
    backendMs = (seconds * 1000) / trades;
  }
  const hot = (table: "trade" | "trade_attempt") => {
    const all = after.updates[table].all - before.updates[table].all;
    return all === 0 ? 0 : Math.round(((after.updates[table].hot - before.updates[table].hot) / all) * 100);
  };
  return {
    backendMs,
    walKb: Number(after.walBytes - before.walBytes) / 1024 / trades,
    tradeUpdates: (after.updates.trade.all - before.updates.trade.all) / trades,
    tradeHot: hot("trade"),
    attemptHot: hot("trade_attempt"),
  };
}
