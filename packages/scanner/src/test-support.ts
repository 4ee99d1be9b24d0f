/**
 * Listeners for scanner tests, on loopback addresses only (Linux routes all of 127.0.0.0/8 to lo, so 127.1.2.3
 * can be bound without any set-up). Ports are chosen by the kernel, so no other listener shares them.
 */

export interface TestListener {
  address: string;
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  /** Most connections open at the same time. */
  peakConcurrent(): number;
  stop(): void;
}

function counter() {
  let total = 0;
  let open = 0;
  let peak = 0;
  return {
    opened() {
      total++;
      open++;
      peak = Math.max(peak, open);
    },
    closed() {
      open--;
    },
    total: () => total,
    peak: () => peak,
  };
}

function tcpListener(address: string, port: number, greeting: string | null): TestListener {
  const count = counter();
  const server = Bun.listen({
    hostname: address,
    port,
    socket: {
      open(socket) {
        count.opened();
        if (greeting) socket.write(greeting);
      },
      data() {},
      close() {
        count.closed();
      },
      error() {},
    },
  });
  return {
    address,
    port: server.port,
    connections: count.total,
    peakConcurrent: count.peak,
    stop: () => server.stop(true),
  };
}

/** Sends an SSH identification line on connect, like sshd, then waits. */
export function startSshLikeListener(address: string, banner: string, port = 0): TestListener {
  return tcpListener(address, port, `${banner}\r\n`);
}

/** Accepts and never says anything, nor answers a request: an open port without a banner. */
export function startSilentListener(address: string, port = 0): TestListener {
  return tcpListener(address, port, null);
}

/** A small web server: GET / answers an HTML page with `title`, and `server` as its Server header. */
export function startHttpListener(
  address: string,
  options: { title: string; server: string; port?: number; tls?: { cert: string; key: string } },
): TestListener {
  const count = counter();
  const server = Bun.serve({
    hostname: address,
    port: options.port ?? 0,
    ...(options.tls ? { tls: options.tls } : {}),
    fetch() {
      count.opened();
      count.closed();
      return new Response(
        `<!doctype html><html><head><title>${options.title}</title></head><body>ok</body></html>`,
        {
          headers: { "content-type": "text/html; charset=utf-8", server: options.server },
        },
      );
    },
  });
  return {
    address,
    port: server.port ?? 0,
    connections: count.total,
    peakConcurrent: count.peak,
    stop: () => void server.stop(true),
  };
}

/** A port on `address` that nothing listens on (bound once by the kernel's choice, then released). */
export function closedPort(address: string): number {
  const listener = startSilentListener(address);
  const { port } = listener;
  listener.stop();
  return port;
}
