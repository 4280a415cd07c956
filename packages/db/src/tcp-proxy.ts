import net from "node:net";

export interface TcpProxy {
  readonly port: number;
  /** Drops every connection and refuses new ones, as an unreachable server does. */
  cut(): void;
  /**
   * Resets every open connection (a TCP RST to the client, ECONNRESET on its side: a server or a
   * middlebox that vanished mid-connection) and resolves once the client's side has closed;
   * new connections are let through.
   */
  reset(): Promise<void>;
  /**
   * Drops every connection and closes the port, so that connecting is refused (ECONNREFUSED) as by
   * a server that is down: a client that counts its failed reconnections (ioredis) gives up on its
   * queued commands, where cut() lets each reconnection succeed before dropping it.
   */
  refuse(): Promise<void>;
  /** Lets connections through again (on the same port after refuse()). */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a database server, so a test can make the database
 * unreachable for a while (a network partition, a failover) without touching the server.
 */
export async function openTcpProxy(target: URL): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  /** The sockets of the clients' sides, which reset() resets. */
  const clients = new Set<net.Socket>();
  let open = true;
  const server = net.createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    clients.add(client);
    client.on("close", () => {
      clients.delete(client);
      upstream.destroy();
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const cut = () => {
    open = false;
    for (const socket of sockets) socket.destroy();
  };
  return {
    port,
    cut,
    async reset() {
      const closed = [...clients].map((client) => new Promise((resolve) => client.once("close", resolve)));
      for (const client of clients) client.resetAndDestroy();
      await Promise.all(closed);
    },
    async refuse() {
      cut();
      await new Promise((resolve) => server.close(resolve));
    },
    async restore() {
      open = true;
      if (!server.listening) await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    },
    close() {
      open = false;
      for (const socket of sockets) socket.destroy();
      return server.listening ? new Promise((resolve) => server.close(() => resolve())) : Promise.resolve();
    },
  };
}
