/** Latency statistics of one scenario, in milliseconds, and its throughput. */
export interface ScenarioResult {
  name: string;
  requests: number;
  concurrency: number;
  errors: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  throughputPerSecond: number;
}

/** The value at `fraction` (0.5: the median) of ascending `sorted`, by nearest rank. */
export function percentile(sorted: ArrayLike<number>, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

const round = (value: number) => Math.round(value * 100) / 100;
const ascending = (a: number, b: number) => a - b;

/**
 * Runs `request` `total` times with `concurrency` requests in flight, after `warmup` unmeasured ones. A request
 * counts as an error when it throws or its response is not 2xx; errors are reported, never hidden in the numbers.
 */
export async function runScenario(
  name: string,
  request: () => Promise<Response>,
  options: { total: number; concurrency: number; warmup: number },
): Promise<ScenarioResult> {
  const call = async () => {
    const response = await request();
    await response.arrayBuffer();
    return response.ok;
  };
  for (let index = 0; index < options.warmup; index++) await call().catch(() => false);

  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const startedAt = performance.now();
  const worker = async () => {
    while (issued < options.total) {
      issued++;
      const begin = performance.now();
      const ok = await call().catch(() => false);
      latencies.push(performance.now() - begin);
      if (!ok) errors++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name,
    requests: latencies.length,
    concurrency: options.concurrency,
    errors,
    p50Ms: round(percentile(latencies, 0.5)),
    p90Ms: round(percentile(latencies, 0.9)),
    p99Ms: round(percentile(latencies, 0.99)),
    maxMs: round(latencies.at(-1) ?? Number.NaN),
    throughputPerSecond: round(latencies.length / elapsedSeconds),
  };
}

/** Durations of one-off runs of a piece of work (a sweep of 1,000 targets, say), and its throughput. */
export interface DurationResult {
  name: string;
  rounds: number;
  /** Items one run handles (targets checked). */
  items: number;
  /** Items that failed over all rounds (a probe that did not answer, a target without a result). */
  errors: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Items per second at the median duration. */
  itemsPerSecond: number;
  /** The median over the rounds of each number the rounds reported besides their duration (see {@link RoundOutcome}). */
  extra?: Record<string, number>;
}

/** What one run of a measured piece of work reports. */
export interface RoundOutcome {
  items: number;
  errors: number;
  /**
   * The measured part of the run, when the run also does work that is not measured (starting a round's consumer,
   * deleting its keys); the whole run is timed when omitted.
   */
  durationMs?: number;
  /** Further numbers of the round, e.g. latency percentiles; the result holds the median of each over the rounds. */
  extra?: Record<string, number>;
}

/**
 * Runs `run` `warmup` times unmeasured, then `rounds` times, one at a time, timing each run (or taking the duration
 * it reports). `run` returns how many items it handled and how many of them failed; failures are reported, never
 * hidden in the numbers.
 */
export async function measureDuration(
  name: string,
  run: () => Promise<RoundOutcome>,
  options: { rounds: number; warmup: number },
): Promise<DurationResult> {
  for (let index = 0; index < options.warmup; index++) await run();
  const durations: number[] = [];
  const extras = new Map<string, number[]>();
  let items = 0;
  let errors = 0;
  for (let index = 0; index < options.rounds; index++) {
    const startedAt = performance.now();
    const outcome = await run();
    durations.push(outcome.durationMs ?? performance.now() - startedAt);
    items = outcome.items;
    errors += outcome.errors;
    for (const [key, value] of Object.entries(outcome.extra ?? {}))
      extras.set(key, [...(extras.get(key) ?? []), value]);
  }
  durations.sort((a, b) => a - b);
  const medianMs = percentile(durations, 0.5);
  const extra: Record<string, number> = {};
  for (const [key, values] of extras) extra[key] = round(percentile(values.sort(ascending), 0.5));
  return {
    name,
    rounds: durations.length,
    items,
    errors,
    medianMs: round(medianMs),
    minMs: round(durations[0] ?? Number.NaN),
    maxMs: round(durations.at(-1) ?? Number.NaN),
    itemsPerSecond: round(items / (medianMs / 1000)),
    ...(extras.size > 0 ? { extra } : {}),
  };
}
