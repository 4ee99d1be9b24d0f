/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** An unused TCP port on 127.0.0.1 (released again before returning). */
export async function getFreePort(): Promise<number> {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = listener;
  listener.stop(true);
  return port;
}

/** True when something accepts TCP connections on host:port. */
export async function isPortOpen(port: number, host = "127.0.0.1"): Promise<boolean> {
  try {
    const socket = await Bun.connect({ hostname: host, port, socket: { data() {} } });
    socket.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * Polls `check` until it returns true. Throws after `timeoutMs`, or as soon as `abortIf` returns a reason
 * (typically "the process exited"), so a crashed child does not make us wait for the full timeout.
 */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; abortIf?: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (!(await check())) {
    const reason = options.abortIf?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    if (Date.now() > deadline)
      throw new Error(`${what}: not ready after ${Math.round(options.timeoutMs / 1000)} s`);
    await sleep(200);
  }
}

/** True when a GET on `url` answers 2xx. */
export async function isHttpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}
