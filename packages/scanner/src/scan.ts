import { guessOs } from "./banner.ts";
import { hostAddresses } from "./cidr.ts";
import { createHostnameResolver, type ReverseLookup } from "./hostnames.ts";
import { planScan } from "./plan.ts";
import { type PortProbe, type PortState, probePort } from "./probe.ts";

/** An open port of a host, with what its banner said. */
export type OpenPort = Omit<PortProbe, "state">;

/** A host with at least one open port. */
export interface HostResult {
  address: string;
  /** From the hosts file or a PTR record (only when the scan asked for names). */
  hostname: string | null;
  /** From SSH and HTTP banners, e.g. `debian`. */
  osHint: string | null;
  /** Open ports in ascending order. */
  ports: OpenPort[];
}

/** Counters while a scan runs. */
export interface ScanProgress {
  addressesTotal: number;
  addressesDone: number;
  probesTotal: number;
  probesDone: number;
  hostsFound: number;
}

/** The outcome of a finished scan. */
export interface ScanSummary extends ScanProgress {
  portStates: Record<PortState, number>;
  durationMs: number;
}

/** Options of {@link scanHosts}. */
export interface ScanHostsOptions {
  /** Blocks or single addresses to scan, IPv4 or IPv6. */
  cidrs: readonly string[];
  /** The admin-allowed ranges: a block not inside their union is refused before anything is sent. */
  allowedCidrs: readonly string[];
  /** TCP ports, 1 to 65535. */
  ports: readonly number[];
  /** Connect timeout per probe; the banner read of an open port gets the same budget again. */
  timeoutMs: number;
  /** Probes (sockets) in flight at once, across all hosts and ports. */
  concurrency: number;
  /** Names from the hosts file and PTR records (PTR never for loopback). */
  reverseDns: boolean;
  signal?: AbortSignal | undefined;
  /** Called once per host with an open port, when all its ports are probed. Awaited: slow it to slow the scan. */
  onHost?: ((host: HostResult) => void | Promise<void>) | undefined;
  /** Called after each address is done. Cheap counters; throttle on the caller's side. */
  onProgress?: ((progress: ScanProgress) => void) | undefined;
  /** At most this many addresses (default 65,536). */
  maxAddresses?: number | undefined;
  /** Read banners of open ports (default true). */
  grabBanners?: boolean | undefined;
  /** For tests and unusual systems; defaults to /etc/hosts. */
  hostsFile?: string | undefined;
  /** PTR lookup for non-loopback addresses; defaults to the system resolver. */
  reverseLookup?: ReverseLookup | undefined;
}

const MAX_PORTS = 1000;
const MAX_CONCURRENCY = 5000;

function assertOptions(options: ScanHostsOptions): number[] {
  const ports = [...new Set(options.ports)].sort((a, b) => a - b);
  if (ports.length === 0 || ports.length > MAX_PORTS) throw new RangeError(`ports: 1 to ${MAX_PORTS} ports`);
  for (const port of ports) {
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new RangeError(`ports: ${port} is not a TCP port`);
  }
  if (
    !Number.isInteger(options.concurrency) ||
    options.concurrency < 1 ||
    options.concurrency > MAX_CONCURRENCY
  )
    throw new RangeError(`concurrency: 1 to ${MAX_CONCURRENCY}`);
  if (!Number.isFinite(options.timeoutMs) || options.timeoutMs < 1 || options.timeoutMs > 120_000)
    throw new RangeError("timeoutMs: 1 to 120000");
  return ports;
}

interface PendingHost {
  address: string;
  remaining: number;
  open: OpenPort[];
}

/**
 * TCP connect scan of `cidrs` × `ports` with at most `concurrency` probes in flight across every (host, port)
 * pair, reading banners of open ports (SSH identification line; HTTP `Server` and `<title>` from GET /).
 *
 * The ranges are checked first ({@link planScan}): anything outside `allowedCidrs`, in a special-use block or
 * beyond `maxAddresses` throws `ScanRefusedError` and nothing is sent. Pairs are generated lazily, host by host,
 * so memory stays flat for a /16. Aborting `signal` destroys the open sockets and rejects with its reason.
 */
export async function scanHosts(options: ScanHostsOptions): Promise<ScanSummary> {
  const ports = assertOptions(options);
  const plan = planScan({
    cidrs: options.cidrs,
    allowedCidrs: options.allowedCidrs,
    maxAddresses: options.maxAddresses,
  });
  const startedAt = performance.now();
  const signal = options.signal;
  signal?.throwIfAborted();
  const resolveName = createHostnameResolver({
    reverseDns: options.reverseDns,
    hostsFile: options.hostsFile,
    lookup: options.reverseLookup,
    timeoutMs: Math.max(options.timeoutMs, 1000),
  });
  const progress: ScanProgress = {
    addressesTotal: plan.addressCount,
    addressesDone: 0,
    probesTotal: plan.addressCount * ports.length,
    probesDone: 0,
    hostsFound: 0,
  };
  const portStates: Record<PortState, number> = { open: 0, closed: 0, filtered: 0, unreachable: 0 };

  function* pairs(): Generator<{ host: PendingHost; port: number }> {
    for (const cidr of plan.ranges) {
      for (const address of hostAddresses(cidr)) {
        const host: PendingHost = { address, remaining: ports.length, open: [] };
        for (const port of ports) yield { host, port };
      }
    }
  }

  async function finishHost(host: PendingHost) {
    progress.addressesDone++;
    if (host.open.length > 0) {
      progress.hostsFound++;
      const open = host.open.sort((a, b) => a.port - b.port);
      const hostname = await resolveName(host.address);
      const osHint = guessOs(open.flatMap((port) => [port.banner, port.http?.server]));
      await options.onHost?.({ address: host.address, hostname, osHint, ports: open });
    }
    options.onProgress?.({ ...progress });
  }

  const queue = pairs();
  let failure: unknown = null;
  async function runWorker() {
    for (;;) {
      if (signal?.aborted || failure) return;
      const next = queue.next();
      if (next.done) return;
      const { host, port } = next.value;
      try {
        const probe = await probePort({
          host: host.address,
          port,
          timeoutMs: options.timeoutMs,
          signal,
          grabBanners: options.grabBanners ?? true,
        });
        if (signal?.aborted) return;
        portStates[probe.state]++;
        progress.probesDone++;
        if (probe.state === "open") {
          const { state: _state, ...open } = probe;
          host.open.push(open);
        }
        if (--host.remaining === 0) await finishHost(host);
      } catch (error) {
        // Only callbacks throw (a probe never does): stop the scan and report the first failure.
        failure ??= error;
        return;
      }
    }
  }

  const workers = Math.min(options.concurrency, Math.max(progress.probesTotal, 1));
  await Promise.all(Array.from({ length: workers }, runWorker));
  if (failure) throw failure;
  signal?.throwIfAborted();
  return { ...progress, portStates, durationMs: Math.round(performance.now() - startedAt) };
}
