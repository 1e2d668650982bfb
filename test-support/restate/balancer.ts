/**
 * A TCP round-robin balancer on loopback, as a Kubernetes Service (ClusterIP, L4) puts several
 * worker pods behind one address: each connection Restate opens goes to the next backend that
 * accepts it. Restate opens about one HTTP/2 connection per partition, so with many partitions
 * the workers share the load.
 */
import { type Server, type Socket, connect, createServer } from "node:net";

/** A running balancer. */
export interface Balancer {
  readonly url: string;
  /** Connections handed to each backend so far. */
  readonly handed: readonly number[];
  close(): Promise<void>;
}

/** Balances connections over `backends` (ports on 127.0.0.1); a backend that refuses is skipped. */
export async function startBalancer(backends: readonly number[], port = 0): Promise<Balancer> {
  const handed = backends.map(() => 0);
  const sockets = new Set<Socket>();
  let next = 0;
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.once("close", () => sockets.delete(client));
    const attempt = (tries: number) => {
      const i = next++ % backends.length;
      const upstream = connect(backends[i]!, "127.0.0.1");
      sockets.add(upstream);
      upstream.once("close", () => sockets.delete(upstream));
      let connected = false;
      upstream.once("connect", () => {
        connected = true;
        handed[i]!++;
        client.pipe(upstream).pipe(client);
      });
      upstream.on("error", () => {
        upstream.destroy();
        if (!connected && tries + 1 < backends.length * 2) attempt(tries + 1); // refused: the next backend
        else client.destroy(); // cut mid-stream (a killed worker): Restate reconnects and retries
      });
    };
    client.on("error", () => client.destroy());
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`,
    handed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
