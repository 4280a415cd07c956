/**
 * Where a batchProgress event's time goes between the batch row's write and the event's client
 * (bench/fanout.ts). Wraps, in the bench's own process only, the calls an event passes through:
 * pg's `Client.query` (the statement that stamped the batch row's updatedAt, then its transaction's
 * COMMIT on the same connection), the publisher's `publish` (the committed change handed over) and
 * its send of a snapshot, and ws's `send` (graphql-ws writing the event to a socket). Each stage is
 * keyed by the snapshot's updatedAt, which names one write of the batch row. Every time is the
 * wall clock in ms (PostgreSQL's clock_timestamp() and Node's clock are one machine's clock).
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { EventPublisher } from "@fxbt/events";
import pg from "pg";
import WebSocket from "ws";
import { percentile } from "./timing";

/** One write of the batch row: when it passed each stage (ms since the epoch). */
export interface SnapshotTrace {
  /** The statement that stamped updatedAt returned its rows to Node. */
  statementDone?: number;
  /** Node sent its transaction's COMMIT, then had PostgreSQL's answer: from then on the write is visible. */
  commitSent?: number;
  commitDone?: number;
  /** The publisher was handed the committed change, then sent this snapshot (at once, or when its hold ended). */
  received?: number;
  sent?: number;
  /** graphql-ws's first write of the event to a socket. */
  written?: number;
}

const now = () => performance.timeOrigin + performance.now();
const iso = (value: unknown) => new Date(value as string | Date).toISOString();

/** Wraps the calls above until `stop()`; `traces` fills in as the batch runs. */
export function traceFanout() {
  const traces = new Map<string, SnapshotTrace>();
  const at = (updatedAt: string) => {
    const trace = traces.get(updatedAt) ?? {};
    traces.set(updatedAt, trace);
    return trace;
  };
  /** The updatedAt a connection's open transaction last stamped, waiting for its COMMIT. */
  const stamped = new WeakMap<object, string>();
  /**
   * Connections inside a transaction (between BEGIN and COMMIT or ROLLBACK). A statement outside
   * one commits as it answers: the runner's outcome write is such a statement since 70be167, and
   * its event would otherwise never be traced as committed.
   */
  const inTransaction = new WeakSet<object>();

  /** A statement's answer: a COMMIT ends its transaction's trace; a write of the batch row starts one. */
  const answered = (client: object, text: string, sent: number, autocommit: boolean, answer: pg.QueryResult | undefined) => {
    const done = now();
    if (text === "COMMIT") {
      const updatedAt = stamped.get(client);
      stamped.delete(client);
      if (updatedAt) Object.assign(at(updatedAt), { commitSent: sent, commitDone: done });
      return;
    }
    // moveTradesOfBatches returns the batch row as `batch.updatedAt`; the other writes of it, as `updatedAt`.
    const fields = answer?.fields?.map((field) => field.name) ?? [];
    const column = fields.includes("batch.updatedAt")
      ? "batch.updatedAt"
      : /^\s*UPDATE\s+(?:"public"\.)?"?batch"?\s/.test(text)
        ? fields.find((name) => name === "updatedAt" || name === "updated_at")
        : undefined;
    const index = column === undefined ? -1 : fields.indexOf(column);
    if (index < 0) return;
    for (const row of answer!.rows as unknown[]) {
      const value = Array.isArray(row) ? row[index] : (row as Record<string, unknown>)[column!];
      if (value == null) continue;
      const updatedAt = iso(value);
      at(updatedAt).statementDone = done;
      // Committed by its own answer: no COMMIT follows, and the commit stages take no time.
      if (autocommit) Object.assign(at(updatedAt), { commitSent: done, commitDone: done });
      else stamped.set(client, updatedAt);
    }
  };

  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const config = args[0] as string | { text?: string };
    const text = typeof config === "string" ? config : (config?.text ?? "");
    const sent = now();
    if (/^\s*BEGIN\b/i.test(text)) inTransaction.add(this);
    else if (/^\s*(COMMIT|ROLLBACK)\b/i.test(text)) inTransaction.delete(this);
    const autocommit = !inTransaction.has(this);
    // pg.Pool's own query (what Prisma's adapter runs outside a transaction) passes a callback.
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === "function") {
      args[last] = (error: unknown, answer: pg.QueryResult) => {
        if (!error) answered(this, text, sent, autocommit, answer);
        return callback(error, answer);
      };
    }
    const result = (query as (...a: unknown[]) => unknown).apply(this, args);
    if (result instanceof Promise)
      void result.then(
        (answer: pg.QueryResult) => answered(this, text, sent, autocommit, answer),
        () => undefined,
      );
    return result;
  } as typeof query;

  // biome-ignore lint/suspicious/noExplicitAny: the publisher's private method, wrapped where it is defined.
  const publisher = EventPublisher.prototype as unknown as Record<string, (...a: any[]) => unknown>;
  const publish = publisher.publish!;
  const publishBatch = publisher.publishBatch!;
  publisher.publish = function (this: unknown, change: { batches?: { updatedAt: Date }[] }) {
    const received = now();
    for (const batch of change.batches ?? []) at(iso(batch.updatedAt)).received ??= received;
    return publish.call(this, change);
  };
  publisher.publishBatch = function (this: unknown, entry: unknown, batch: { updatedAt: Date | string }) {
    at(iso(batch.updatedAt)).sent ??= now();
    return publishBatch.call(this, entry, batch);
  };

  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, data: unknown, ...rest: unknown[]) {
    if (typeof data === "string") {
      const updatedAt = /"updatedAt":"([^"]+)"/.exec(data)?.[1];
      if (updatedAt) at(iso(updatedAt)).written ??= now();
    }
    return (send as (...a: unknown[]) => void).call(this, data, ...rest);
  } as typeof send;

  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  return {
    traces,
    /** Undoes the wrapping; gives the API process's event-loop delay while traced (ms). */
    stop() {
      pg.Client.prototype.query = query;
      publisher.publish = publish;
      publisher.publishBatch = publishBatch;
      WebSocket.prototype.send = send;
      loop.disable();
      return { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
    },
  };
}

/**
 * The stages in order, each timed from the one before it; the first from updatedAt. The last,
 * "→ client (every socket)", runs from the event's first socket write to each of its clients: the
 * writes to the other sockets, and the queue of sockets the subscribers' process reads in turn.
 */
const STAGES: [name: string, key: keyof SnapshotTrace][] = [
  ["updatedAt → statement done", "statementDone"],
  ["→ COMMIT sent", "commitSent"],
  ["→ COMMIT answered", "commitDone"],
  ["→ publisher has it", "received"],
  ["→ sent (held)", "sent"],
  ["→ first socket write", "written"],
];

/** Each received event's latency from its updatedAt and from its commit, and its time per stage; lists sorted ascending. */
export function measureTraces(traces: Map<string, SnapshotTrace>, received: readonly [at: number, updatedAt: string][]) {
  const fromUpdatedAt: number[] = [];
  const fromCommit: number[] = [];
  const events: { updatedAt: number; parts: number[]; total: number }[] = [];
  let untraced = 0;
  for (const [clientAt, updatedAtIso] of received) {
    const updatedAt = Date.parse(updatedAtIso);
    fromUpdatedAt.push(clientAt - updatedAt);
    const trace = traces.get(updatedAtIso);
    const times = STAGES.map(([, key]) => trace?.[key]);
    if (times.some((time) => time === undefined)) {
      untraced++;
      continue;
    }
    fromCommit.push(clientAt - trace!.commitDone!);
    const points = [updatedAt, ...(times as number[]), clientAt];
    events.push({ updatedAt, parts: points.slice(1).map((time, i) => time - points[i]!), total: clientAt - updatedAt });
  }
  const ascending = (a: number, b: number) => a - b;
  return { fromUpdatedAt: fromUpdatedAt.sort(ascending), fromCommit: fromCommit.sort(ascending), events, untraced };
}

/** Lines describing each stage (p50 / p99 / max) and the slowest few snapshots' stages. */
export function describeStages({ events, untraced }: ReturnType<typeof measureTraces>): string[] {
  const names = [...STAGES.map(([name]) => name), "→ client (every socket)"];
  const ms = (value: number) => value.toFixed(1);
  const lines = names.map((name, i) => {
    const values = events.map((event) => event.parts[i]!).sort((a, b) => a - b);
    return `    ${name.padEnd(27)} p50 ${ms(percentile(values, 50)).padStart(6)}  p99 ${ms(percentile(values, 99)).padStart(6)}  max ${ms(values.at(-1) ?? Number.NaN).padStart(6)} ms`;
  });
  // The slowest three snapshots, one line each however many sockets got them.
  const seen = new Set<number>();
  const slowest = [...events].sort((a, b) => b.total - a.total).filter((event) => !seen.has(event.updatedAt) && seen.add(event.updatedAt));
  for (const event of slowest.slice(0, 3))
    lines.push(
      `    a slowest, ${ms(event.total)} ms: ${event.parts.map((part, i) => `${names[i]!.replace("→ ", "")} ${ms(part)}`).join(", ")}`,
    );
  if (untraced > 0) lines.push(`    (${untraced} events not traced at every stage: left out of commit → client)`);
  return lines;
}
