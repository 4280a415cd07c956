import { RunnerStopped } from "./retry";

/**
 * What a call to the bank is for. A booking, or a question about one (a lookup by key), settles a
 * quote the bank has already given; a quote starts a new trade.
 */
export type BankCallKind = "quote" | "settle";

interface Waiter {
  grant: () => void;
  /** Takes the waiter out of its queue and ends its wait with RunnerStopped. */
  abort: () => void;
}

/**
 * The calls a runner may have at the bank at once (RunnerOptions.concurrency). The runner holds
 * more trades than that (RunnerOptions.heldTrades): while some are at the bank, others wait for
 * their writes, so the bank is kept busy while the database works. A call waits here for a free
 * slot, and a freed slot goes to the longest-waiting call that settles a quote before any new
 * quote: a quoted trade waits at most until the next call returns, never behind the quotes of
 * every trade held, so holding more trades does not let quotes expire before their booking.
 */
export class BankSlots {
  private free: number;
  private readonly settling: Waiter[] = [];
  private readonly quoting: Waiter[] = [];

  constructor(readonly size: number) {
    this.free = size;
  }

  /** Calls at the bank now. */
  get inUse(): number {
    return this.size - this.free;
  }

  /**
   * Waits for a slot; the returned function gives it back (call it once the bank has answered or
   * failed). Throws RunnerStopped when `signal` aborts before a slot is free.
   */
  async take(kind: BankCallKind, signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) throw new RunnerStopped();
    // A slot given back goes straight to a waiting call, so a free slot means nobody waits.
    if (this.free > 0) {
      this.free--;
      return this.giveBack();
    }
    const queue = kind === "settle" ? this.settling : this.quoting;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => waiter.abort();
      const waiter: Waiter = {
        grant: () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
        abort: () => {
          queue.splice(queue.indexOf(waiter), 1);
          reject(new RunnerStopped());
        },
      };
      queue.push(waiter);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    return this.giveBack();
  }

  /** Once per slot taken: a second call would free a slot that another call holds. */
  private giveBack(): () => void {
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = this.settling.shift() ?? this.quoting.shift();
      if (next) next.grant();
      else this.free++;
    };
  }
}
