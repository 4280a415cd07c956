import { pause } from "./retry";

export interface CircuitBreakerOptions {
  /** Transient failures in a row that open the circuit. */
  threshold: number;
  /** How long the circuit stays open before one call may probe the bank again. */
  cooldownMs: number;
  /** Called when the circuit opens (with when the failures began) and when it closes again. */
  onOpen?: (since: Date) => void;
  onClose?: () => void;
}

/** The one call an open circuit lets through after its cooldown. */
export interface Probe {
  /**
   * It was not sent after all (its trade's batch was cancelled while it waited for a slot, or the
   * runner is stopping): the next caller may probe at once, rather than wait a cooldown for an
   * answer that will not come. Nothing changes once a later probe holds the way.
   */
  notSent(): void;
}

/**
 * Stops sending to a bank that keeps failing. After `threshold` transient failures in a row
 * the circuit opens: calls wait instead of being sent. After `cooldownMs` one call goes
 * through as a probe (half-open); its success closes the circuit and lets every waiting call
 * go, its failure opens it for another cooldown. Trades are never failed for it: they wait.
 */
export class CircuitBreaker {
  private failuresInRow = 0;
  private firstFailureAt: Date | null = null;
  private openUntil = 0;
  /** A probe holds the way through until this instant (or until it reports), so one caller probes at a time. */
  private probeUntil = 0;
  /** The probe `ready` let through last: only it may give the way back unsent. */
  private heldBy: Probe | null = null;
  /** When the circuit opened; null while closed. */
  openSince: Date | null = null;
  /** How many times the circuit has opened. */
  opened = 0;

  constructor(private readonly options: CircuitBreakerOptions) {}

  get isOpen(): boolean {
    return this.openSince !== null;
  }

  /**
   * Resolves when a call may be sent: at once while closed (null); after the cooldown, one caller
   * at a time, while open. The Probe for that one caller: a caller that waits again before it
   * sends (for a slot at the bank) must know whether an open circuit was opened for it, and tell
   * it should it not send after all.
   */
  async ready(signal: AbortSignal): Promise<Probe | null> {
    for (;;) {
      if (!this.isOpen) return null;
      const now = Date.now();
      if (now >= this.openUntil && now >= this.probeUntil) {
        this.probeUntil = now + this.options.cooldownMs;
        const probe: Probe = {
          // Its hold may have lapsed while it waited (for a slot), and another probe hold the way
          // since: that one's hold stays, or two calls would probe at once.
          notSent: () => {
            if (this.heldBy === probe) this.probeUntil = 0;
          },
        };
        this.heldBy = probe;
        return probe;
      }
      await pause(Math.max(Math.max(this.openUntil, this.probeUntil) - now, 50), signal);
    }
  }

  /**
   * A call the bank answered, sent at `sentAt` (Date.now()). One sent before the failures in a row
   * began says nothing of the bank since: it neither resets the count nor closes the circuit.
   * Otherwise calls already at the bank when it went down, coming back one by one, closed the
   * circuit as soon as it opened and let every waiting call through to a bank that was down.
   */
  succeeded(sentAt = Date.now()): void {
    if (this.firstFailureAt !== null && sentAt < this.firstFailureAt.getTime()) return;
    this.failuresInRow = 0;
    this.firstFailureAt = null;
    this.probeUntil = 0;
    if (this.openSince) {
      this.openSince = null;
      this.options.onClose?.();
    }
  }

  failed(): void {
    this.failuresInRow++;
    this.firstFailureAt ??= new Date();
    this.probeUntil = 0;
    if (this.isOpen || this.failuresInRow >= this.options.threshold) {
      this.openUntil = Date.now() + this.options.cooldownMs;
      if (!this.openSince) {
        this.openSince = this.firstFailureAt;
        this.opened++;
        this.options.onOpen?.(this.openSince);
      }
    }
  }
}
