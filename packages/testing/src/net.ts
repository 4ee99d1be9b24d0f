/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Asks the kernel for an unused TCP port on 127.0.0.1. The port is released before returning, so another
 * process could in theory grab it first; that race is acceptable for tests.
 */
export async function getFreePort(): Promise<number> {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = listener;
  listener.stop(true);
  return port;
}

/** True when a TCP connection to host:port succeeds. */
export async function isPortOpen(port: number, host = "127.0.0.1"): Promise<boolean> {
  try {
    const socket = await Bun.connect({ hostname: host, port, socket: { data() {} } });
    socket.end();
    return true;
  } catch {
    return false;
  }
}

/** Options shared by the wait helpers. */
export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Checked between attempts; when it returns a string the wait fails with that message. */
  abortIf?: () => string | undefined;
}

async function waitUntil(check: () => Promise<boolean>, what: string, options: WaitOptions): Promise<void> {
  const { timeoutMs = 30_000, intervalMs = 100, abortIf } = options;
  const deadline = Date.now() + timeoutMs;
  while (true) {
    if (await check()) return;
    const reason = abortIf?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    if (Date.now() > deadline) throw new Error(`${what}: timed out after ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/** Waits until host:port accepts TCP connections. */
export function waitForPort(port: number, options: WaitOptions & { host?: string } = {}): Promise<void> {
  const host = options.host ?? "127.0.0.1";
  return waitUntil(() => isPortOpen(port, host), `waiting for ${host}:${port}`, options);
}

/** Waits until a GET on `url` answers with a 2xx status. */
export function waitForUrl(url: string, options: WaitOptions = {}): Promise<void> {
  const check = async () => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      return res.ok;
    } catch {
      return false;
    }
  };
  return waitUntil(check, `waiting for ${url}`, options);
}
