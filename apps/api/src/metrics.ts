import type { BatchRunner } from "@fxbt/runner";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";

/**
 * Prometheus metrics of one instance: the process's own, and what its runner has done.
 * Values are read from the runner when scraped, so the hot path pays nothing for them.
 */
export function createMetrics(runner: BatchRunner): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: "fxbt_runner_trades_in_flight",
    help: "Trades this instance has at the bank now",
    registers: [registry],
    collect() {
      this.set(runner.tradesInFlight);
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
