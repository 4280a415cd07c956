import { ApolloLink } from "@apollo/client";
import { parse } from "graphql";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { ConnectionStore } from "./connection-store";
import { isSessionRefusal, LiveSocket, toWebSocketUrl } from "./live-socket";
import { keptCurrentByResume } from "./make-client";

/** A WebSocket the test drives: it opens, acknowledges and closes when told. */
class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static instances: FakeSocket[] = [];
  readyState = FakeSocket.CONNECTING;
  readonly sent: string[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;

  constructor(
    readonly url: string,
    readonly protocol: string,
  ) {
    FakeSocket.instances.push(this);
  }

  send(data: string) {
    this.sent.push(data);
  }

  close(code = 1000, reason = "") {
    if (this.readyState === FakeSocket.CLOSED) return;
    this.readyState = FakeSocket.CLOSED;
    this.onclose?.({ code, reason, wasClean: true });
  }

  /** The server accepts the connection: open, then connection_ack once connection_init is sent. */
  async accept() {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.({});
    await vi.advanceTimersByTimeAsync(0);
    this.onmessage?.({ data: JSON.stringify({ type: "connection_ack" }) });
    await vi.advanceTimersByTimeAsync(0);
  }

  /** The server (or the network) closes it. */
  async closedBy(code: number, reason = "") {
    this.close(code, reason);
    await vi.advanceTimersByTimeAsync(0);
  }
}

function liveSocket() {
  const store = new ConnectionStore();
  const events = { onSessionRefused: vi.fn() };
  const socket = new LiveSocket("ws://api.test/graphql", store, events, FakeSocket);
  return { store, events, socket };
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.instances = [];
});
afterEach(() => vi.useRealTimers());

describe("LiveSocket", () => {
  test("opens nothing until started (nobody is signed in)", async () => {
    const { store } = liveSocket();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.instances).toHaveLength(0);
    expect(store.getSnapshot().socket).toBe("off");
  });

  test.each([4401, 4403])("a %i close is not retried: the session is reported refused, and no banner", async (code) => {
    const { store, events, socket } = liveSocket();
    socket.start();
    expect(FakeSocket.instances).toHaveLength(1);
    await FakeSocket.instances[0]!.accept();
    expect(store.getSnapshot().socket).toBe("connected");
    await FakeSocket.instances[0]!.closedBy(code, "Unauthorized");
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(events.onSessionRefused).toHaveBeenCalledWith(code);
    expect(store.getSnapshot().socket).toBe("off");
    expect(socket.running).toBe(false);
  });

  test("a network drop is retried with backoff and shown meanwhile", async () => {
    const { store, events, socket } = liveSocket();
    socket.start();
    await FakeSocket.instances[0]!.accept();
    await FakeSocket.instances[0]!.closedBy(1006);
    expect(store.getSnapshot().socket).toBe("disconnected");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(FakeSocket.instances).toHaveLength(2);
    await FakeSocket.instances[1]!.accept();
    expect(store.getSnapshot().socket).toBe("connected");
    expect(events.onSessionRefused).not.toHaveBeenCalled();
  });

  test("after sign-out (stop) the socket closes quietly; subscriptions end at once; a new sign-in opens a new socket", async () => {
    const { store, socket } = liveSocket();
    socket.start();
    await FakeSocket.instances[0]!.accept();
    socket.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.instances[0]!.readyState).toBe(FakeSocket.CLOSED);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(store.getSnapshot().socket).toBe("off");

    const error = await new Promise<unknown>((resolve) => {
      ApolloLink.execute(socket.link, { query: parse("subscription { batchFeed { kind } }") }, { client: {} as never }).subscribe({
        error: resolve,
      });
    });
    expect(String(error)).toContain("Live updates need a signed-in session");
    expect(FakeSocket.instances).toHaveLength(1);

    socket.start();
    expect(FakeSocket.instances).toHaveLength(2);
    await FakeSocket.instances[1]!.accept();
    expect(store.getSnapshot().socket).toBe("connected");
  });
});

describe("resuming subscriptions", () => {
  /** The subscribe messages the client sent on this socket. */
  const subscribes = (socket: FakeSocket) =>
    socket.sent.map((text) => JSON.parse(text)).filter((message: { type: string }) => message.type === "subscribe");

  test("after a drop, a subscription that declares afterSequence is sent again after the last sequence it received", async () => {
    const { socket } = liveSocket();
    socket.start();
    await FakeSocket.instances[0]!.accept();
    const received: unknown[] = [];
    ApolloLink.execute(
      socket.link,
      {
        query: parse(
          "subscription($id: ID!, $afterSequence: Int) { tradeStatusChanged(batchId: $id, afterSequence: $afterSequence) { sequence } }",
        ),
        variables: { id: "b1", afterSequence: 5 },
      },
      { client: {} as never },
    ).subscribe({ next: (result) => received.push(result) });
    await vi.advanceTimersByTimeAsync(0);
    const [first] = subscribes(FakeSocket.instances[0]!);
    expect(first.payload.variables).toEqual({ id: "b1", afterSequence: 5 });
    for (const sequence of [6, 9]) {
      FakeSocket.instances[0]!.onmessage?.({
        data: JSON.stringify({ id: first.id, type: "next", payload: { data: { tradeStatusChanged: { sequence } } } }),
      });
    }
    expect(received).toHaveLength(2);

    await FakeSocket.instances[0]!.closedBy(1006);
    await vi.advanceTimersByTimeAsync(1_000);
    await FakeSocket.instances[1]!.accept();
    await vi.advanceTimersByTimeAsync(0);
    expect(subscribes(FakeSocket.instances[1]!).map((message) => message.payload.variables)).toEqual([{ id: "b1", afterSequence: 9 }]);
  });

  test("a subscription without afterSequence is sent again as it was", async () => {
    const { socket } = liveSocket();
    socket.start();
    await FakeSocket.instances[0]!.accept();
    ApolloLink.execute(socket.link, { query: parse("subscription { batchFeed { kind } }") }, { client: {} as never }).subscribe({});
    await vi.advanceTimersByTimeAsync(0);
    await FakeSocket.instances[0]!.closedBy(1006);
    await vi.advanceTimersByTimeAsync(1_000);
    await FakeSocket.instances[1]!.accept();
    await vi.advanceTimersByTimeAsync(0);
    expect(subscribes(FakeSocket.instances[1]!).map((message) => message.payload.variables)).toEqual([{}]);
  });
});

test("on reconnection, queries a resuming subscription keeps current are not read again; a final batch's page is", () => {
  expect(keptCurrentByResume({ queryName: "BatchDetail", variables: { id: "b1" } })).toBe(true);
  const showing = (status: string) => () => ({ data: { batch: { id: "b1", status } } });
  expect(keptCurrentByResume({ queryName: "BatchDetail", variables: { id: "b1" }, getCurrentResult: showing("RUNNING") })).toBe(true);
  // A final batch's page has no batchProgress open: it is read again (a cancel's rows may have been written meanwhile).
  expect(keptCurrentByResume({ queryName: "BatchDetail", variables: { id: "b1" }, getCurrentResult: showing("CANCELLED") })).toBe(false);
  expect(keptCurrentByResume({ queryName: "BatchTrades", variables: { id: "b1", first: 50 } })).toBe(true);
  expect(keptCurrentByResume({ queryName: "BatchTrades", variables: { id: "b1", first: 50, status: "FAILED" } })).toBe(false);
  expect(keptCurrentByResume({ queryName: "Batches", variables: {} })).toBe(false);
});

describe("helpers", () => {
  test("toWebSocketUrl keeps host, port and path; https becomes wss", () => {
    expect(toWebSocketUrl("http://127.0.0.1:4000/graphql")).toBe("ws://127.0.0.1:4000/graphql");
    expect(toWebSocketUrl("https://api.example/graphql")).toBe("wss://api.example/graphql");
  });

  test("isSessionRefusal knows 4401 and 4403 only", () => {
    expect(isSessionRefusal({ code: 4401, reason: "" })).toBe(true);
    expect(isSessionRefusal({ code: 4403, reason: "" })).toBe(true);
    expect(isSessionRefusal({ code: 1006, reason: "" })).toBe(false);
    expect(isSessionRefusal(new Error("x"))).toBe(false);
  });
});
