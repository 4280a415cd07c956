import type { SubscribeOptions } from "./bus";

interface Entry<T> {
  message: T;
  key: QueueKey | null;
  prev: Entry<T> | null;
  next: Entry<T> | null;
}

/** A queued message's key: a conflate key, or a key of the subscription's own (a loss). */
type QueueKey = string | symbol;

/**
 * Messages waiting for one reader, oldest first, at most `limit` of them. A message with a
 * key supersedes the queued one with the same key: the old one leaves its place and the new
 * one joins at the end, so what is read is always a subsequence of what was pushed, in push
 * order. Every operation takes constant time (a Map used as a queue slows down with the holes
 * its deletions leave at the front, and an array with tombstones grows while one key changes).
 */
export class BoundedQueue<T> {
  private head: Entry<T> | null = null;
  private tail: Entry<T> | null = null;
  private readonly byKey = new Map<QueueKey, Entry<T>>();
  private count = 0;

  /** @param limit the most messages held; a positive whole number. */
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive whole number, got ${limit}`);
  }

  get size(): number {
    return this.count;
  }

  /**
   * Adds a message; false, and nothing changes, when the queue is full and the message supersedes none.
   * With `supersedes`, a message of a key already queued replaces it only when that says so; otherwise
   * it is dropped and the queued one keeps its place (an older snapshot that arrived late).
   */
  push(message: T, key: QueueKey | null = null, supersedes?: (incoming: T, queued: T) => boolean): boolean {
    const superseded = key === null ? undefined : this.byKey.get(key);
    if (superseded && supersedes && !supersedes(message, superseded.message)) return true;
    if (superseded) this.unlink(superseded);
    else if (this.count === this.limit) return false;
    const entry: Entry<T> = { message, key, prev: this.tail, next: null };
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
    if (key !== null) this.byKey.set(key, entry);
    this.count++;
    return true;
  }

  /** Takes the oldest message; check `size` first, since a message may itself be undefined. */
  shift(): T | undefined {
    const entry = this.head;
    if (!entry) return undefined;
    this.unlink(entry);
    return entry.message;
  }

  clear(): void {
    this.head = null;
    this.tail = null;
    this.byKey.clear();
    this.count = 0;
  }

  private unlink(entry: Entry<T>): void {
    if (entry.prev) entry.prev.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    if (entry.key !== null) this.byKey.delete(entry.key);
    this.count--;
  }
}

/**
 * Ends a subscription whose reader fell `limit` messages behind. It is thrown by the next
 * `next()` at once, and the unread messages are dropped with it: the reader must read the
 * current state again anyway, and a reader that is too slow would only take longer to learn
 * that if it had to work through the backlog first, while the backlog held memory.
 */
export class SlowConsumerError extends Error {
  override readonly name = "SlowConsumerError";

  constructor(
    readonly channel: string,
    readonly limit: number,
  ) {
    super(
      `The subscriber to ${channel} fell behind: ${limit} messages were queued unread, so the subscription ended. ` +
        "Read the current state again and subscribe anew.",
    );
  }
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/** The queue key of a loss (SubscribeOptions.missed); no conflate key can be it. */
const LOSS = Symbol("loss");
/** An unread loss stays where it is: the newer one adds nothing to it. */
const keepQueued = () => false;

interface Reader<T> {
  resolve(result: IteratorResult<T>): void;
  reject(error: unknown): void;
}

/** One subscriber's iterator: a message goes straight to a waiting `next()`, else into its bounded queue. */
export class BoundedSubscription<T> implements AsyncIterableIterator<T> {
  private readonly readers: Reader<T>[] = [];
  private ended = false;
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly channel: string,
    private readonly queue: BoundedQueue<T>,
    /** SubscribeOptions' conflate, supersedes and accept. */
    private readonly options: Pick<SubscribeOptions<T>, "conflate" | "supersedes" | "accept">,
    /** Stops the messages coming (removes the listener); called once, when the subscription ends. */
    private readonly onEnd: () => void,
  ) {}

  /**
   * A message for the reader. A `loss` (SubscribeOptions.missed) is never conflated with messages,
   * and is dropped while an earlier one is unread: the reader reads again when it reads that one,
   * after this loss too, so a reader that is behind is not ended for being told of losses again.
   */
  receive(message: T, { loss = false }: { loss?: boolean } = {}): void {
    if (!loss && this.options.accept) {
      try {
        if (!this.options.accept(message)) return;
      } catch (error) {
        this.end({ error });
        return;
      }
    }
    const reader = this.readers.shift();
    if (reader) {
      reader.resolve({ value: message, done: false });
      return;
    }
    let pushed: boolean;
    try {
      pushed = loss
        ? this.queue.push(message, LOSS, keepQueued)
        : this.queue.push(message, this.options.conflate ? this.options.conflate(message) : null, this.options.supersedes);
    } catch (error) {
      this.end({ error });
      return;
    }
    if (!pushed) this.end({ error: new SlowConsumerError(this.channel, this.queue.limit) });
  }

  /** Stops listening at once, so nothing more is held; a failure is thrown by the next `next()`. */
  end(failure: { error: unknown } | null = null): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    this.queue.clear();
    const first = this.readers.shift();
    if (failure && first) first.reject(failure.error);
    else if (first) first.resolve(DONE);
    else this.failure = failure;
    for (const reader of this.readers.splice(0)) reader.resolve(DONE);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.size > 0) return Promise.resolve({ value: this.queue.shift() as T, done: false });
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => this.readers.push({ resolve, reject }));
  }

  /** The caller is done: whatever was queued, and an overflow it has not been told of, no longer matter. */
  return(): Promise<IteratorResult<T>> {
    this.end();
    this.failure = null;
    return Promise.resolve(DONE);
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    this.end();
    this.failure = null;
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
