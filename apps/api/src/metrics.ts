import { observePoolWaits, type PoolStatistics, poolStatistics } from "@fxbt/db";
import type { BatchRunner } from "@fxbt/runner";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { exportStats } from "./services/results-export";

/**
 * Prometheus metrics of one instance: the process's own, and what its runner has done.
 * Values are read from the runner when scraped, so the hot path pays nothing for them.
 */
export function createMetrics(runner: BatchRunner): Registry {
  const registry = new Registry();
  // Among the defaults: nodejs_eventloop_lag_seconds, _max_seconds, _p99_seconds… from perf_hooks'
  // monitorEventLoopDelay, reset at each scrape: the longest stall since the last one (issue 9).
  collectDefaultMetrics({ register: registry });
  databaseMetrics(registry);
  new Gauge({
    name: "fxbt_runner_trades_in_flight",
    help: "Trades this instance holds now: claimed and not yet final (at most RUNNER_HELD_TRADES)",
    registers: [registry],
    collect() {
      this.set(runner.tradesInFlight);
    },
  });
  new Gauge({
    name: "fxbt_runner_bank_calls_in_flight",
    help: "Calls this instance has at the bank now (at most RUNNER_CONCURRENCY)",
    registers: [registry],
    collect() {
      this.set(runner.bankCallsInFlight);
    },
  });
  new Counter({
    name: "fxbt_runner_trades_claimed_total",
    help: "Trades this instance has claimed to run",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(runner.stats.claimedTrades);
    },
  });
  new Counter({
    name: "fxbt_runner_trades_finished_total",
    help: "Trades this instance has finished, by final status",
    labelNames: ["status"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [status, count] of Object.entries(runner.tradesFinished)) this.inc({ status }, count);
    },
  });
  new Counter({
    name: "fxbt_runner_recovered_total",
    help: "Work taken over from a runner that stopped: released claims and resent bookings",
    labelNames: ["kind"],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ kind: "released_claim" }, runner.stats.releasedClaims);
      this.inc({ kind: "resent_booking" }, runner.stats.resentBookings);
    },
  });
  new Gauge({
    name: "fxbt_bank_available",
    help: "1 while this instance sends to the bank, 0 while its circuit breaker holds trades because the bank keeps failing",
    registers: [registry],
    collect() {
      this.set(runner.bank.available ? 1 : 0);
    },
  });
  new Counter({
    name: "fxbt_bank_circuit_opened_total",
    help: "Times this instance stopped sending to the bank because it kept failing",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(runner.bank.circuitOpened);
    },
  });
  new Counter({
    name: "fxbt_runner_batches_swept_total",
    help: "Running batches the sweeper finished because all their trades were final",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(runner.stats.sweptBatches);
    },
  });
  return registry;
}

/**
 * The database pools (process-wide: see poolStatistics): how long asking for a connection
 * waited, and each pool's size, idle and waiting counts; and the CSV exports on theirs.
 */
function databaseMetrics(registry: Registry): void {
  const waits = new Histogram({
    name: "fxbt_db_pool_wait_seconds",
    help: "Time from asking a database pool for a connection to getting it (or failing), by pool (main: runner and API; export: CSV exports)",
    labelNames: ["pool"],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  observePoolWaits((seconds, pool) => waits.observe({ pool }, seconds));
  const poolGauge = (name: string, help: string, value: (stats: PoolStatistics) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["pool"],
      registers: [registry],
      collect() {
        this.reset();
        for (const stats of poolStatistics()) this.set({ pool: stats.pool }, value(stats));
      },
    });
  poolGauge("fxbt_db_pool_connections", "Connections a database pool holds open, in use or idle", (stats) => stats.total);
  poolGauge("fxbt_db_pool_idle_connections", "Open connections of a database pool that are idle", (stats) => stats.idle);
  poolGauge("fxbt_db_pool_waiting_requests", "Requests waiting for a connection of a database pool", (stats) => stats.waiting);
  poolGauge("fxbt_db_pool_max_connections", "The most connections a database pool opens", (stats) => stats.max);
  new Gauge({
    name: "fxbt_csv_exports",
    help: "CSV exports now, by state: streaming (holding an export connection) or waiting for one",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      this.set({ state: "streaming" }, exportStats.streaming);
      this.set({ state: "waiting" }, exportStats.waiting);
    },
  });
  new Counter({
    name: "fxbt_csv_exports_total",
    help: "CSV exports ended, by outcome: completed, failed (client gone or error), refused (503, too many waiting)",
    labelNames: ["outcome"],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ outcome: "completed" }, exportStats.completed);
      this.inc({ outcome: "failed" }, exportStats.failed);
      this.inc({ outcome: "refused" }, exportStats.refused);
    },
  });
}
