/**
 * `bun run bench <suite>`: measures a suite against the real system on this machine (services as processes behind
 * Caddy, over a fresh database; the system worker too when the suite asks), each result as a ratio against the
 * suite's baseline measured in the same run, and writes the results to loadtests/results/. A suite has request
 * scenarios (latency percentiles and throughput at a concurrency) or one-off measurements (the duration of a piece
 * of work, a few rounds). A suite with `deployment: false` measures a library on its own (no services are started).
 * The k6 suites in loadtests/k6 describe the request scenarios for machines where k6 runs.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { startDeployment } from "@opsc/testing";
import { type DurationResult, measureDuration, runScenario, type ScenarioResult } from "./measure.ts";
import { SUITES } from "./suites.ts";

const suiteName = process.argv[2] ?? "";

/** Suites run one after another under one name, each in its own process and results file, then summed up. */
const GROUPS: Record<string, string[]> = {
  /** The execution path: the queue core against BullMQ, a 10,000-task run end to end, SSH fan-out against Ansible. */
  exec: ["queue", "e2e", "ssh"],
};
const group = GROUPS[suiteName];
if (group) {
  const folder = join(import.meta.dir, "..", "results");
  let failed = false;
  const files: string[] = [];
  for (const name of group) {
    const before = new Set(readdirSync(folder));
    const child = Bun.spawnSync({
      cmd: [process.execPath, import.meta.path, name],
      stdio: ["inherit", "inherit", "inherit"],
      env: process.env,
    });
    if (child.exitCode !== 0) failed = true;
    const written = readdirSync(folder)
      .filter((file) => file.startsWith(`${name}-`) && !before.has(file))
      .sort();
    if (written.length > 0) files.push(join(folder, written.at(-1)!));
  }
  console.log(`\n${suiteName}: the comparisons of this run`);
  for (const file of files) {
    const report = JSON.parse(readFileSync(file, "utf8")) as {
      suite: string;
      measurements?: {
        results: {
          name: string;
          baseline: string;
          throughputRatio: number;
          itemsPerSecond: number;
          extra?: Record<string, number>;
        }[];
      };
    };
    for (const result of report.measurements?.results ?? []) {
      const extra = Object.entries(result.extra ?? {})
        .filter(([key]) => /p50|p99/i.test(key))
        .map(([key, value]) => `${key} ${value}`)
        .join(", ");
      const against = result.baseline === result.name ? "baseline" : `×${result.throughputRatio} vs baseline`;
      console.log(
        `  [${report.suite}] ${result.name}: ${result.itemsPerSecond}/s (${against})${extra ? `; ${extra}` : ""}`,
      );
    }
  }
  process.exit(failed ? 1 : 0);
}

const suite = SUITES[suiteName];
if (!suite) {
  console.error(
    `usage: bun run bench <suite>   (suites: ${Object.keys(SUITES).join(", ")}; groups: ${Object.keys(GROUPS).join(", ")})`,
  );
  process.exit(2);
}
const total = Number(process.env.BENCH_REQUESTS ?? 2000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const warmup = Number(process.env.BENCH_WARMUP ?? 200);
const rounds = Number(process.env.BENCH_ROUNDS ?? suite.rounds ?? 5);
const roundWarmup = Number(process.env.BENCH_ROUND_WARMUP ?? 1);

const ratio = (value: number, baseline: number) => Math.round((value / baseline) * 100) / 100;

async function runScenarios(url: string, context: unknown) {
  const results: (ScenarioResult & { p50Ratio: number; throughputRatio: number })[] = [];
  let baseline: ScenarioResult | undefined;
  for (const scenario of suite!.scenarios ?? []) {
    const result = await runScenario(scenario.name, () => scenario.request(url, context), {
      total,
      concurrency,
      warmup,
    });
    baseline ??= result;
    results.push({
      ...result,
      p50Ratio: ratio(result.p50Ms, baseline.p50Ms),
      throughputRatio: ratio(result.throughputPerSecond, baseline.throughputPerSecond),
    });
    console.log(
      `${scenario.name.padEnd(44)} p50 ${String(result.p50Ms).padStart(7)} ms  p99 ${String(result.p99Ms).padStart(7)} ms  ` +
        `${String(result.throughputPerSecond).padStart(8)}/s  errors ${result.errors}`,
    );
  }
  return results;
}

async function runMeasurements(context: unknown) {
  const results: (DurationResult & { baseline: string; durationRatio: number; throughputRatio: number })[] =
    [];
  let baseline: DurationResult | undefined;
  for (const measurement of suite!.measurements ?? []) {
    const result = await measureDuration(measurement.name, () => measurement.run(context), {
      rounds,
      warmup: roundWarmup,
    });
    if (measurement.baseline) baseline = undefined;
    baseline ??= result;
    results.push({
      ...result,
      baseline: baseline.name,
      durationRatio: ratio(result.medianMs, baseline.medianMs),
      throughputRatio: ratio(result.itemsPerSecond, baseline.itemsPerSecond),
    });
    const extra = Object.entries(result.extra ?? {})
      .map(([key, value]) => `  ${key} ${value}`)
      .join("");
    console.log(
      `${measurement.name.padEnd(60)} median ${String(result.medianMs).padStart(8)} ms  ` +
        `(min ${result.minMs}, max ${result.maxMs})  ${String(result.itemsPerSecond).padStart(8)} items/s  errors ${result.errors}${extra}`,
    );
  }
  return results;
}

const deployment =
  suite.deployment === false
    ? null
    : await startDeployment({
        logLevel: "error",
        authEnv: { SIGN_IN_RATE_LIMIT_MAX: "1000" },
        ...suite.deployment,
      });
try {
  const context =
    suite.deployment === false
      ? await suite.setup()
      : await suite.setup(deployment!.url, deployment!.setupToken, deployment!);
  try {
    const scenarios = deployment ? await runScenarios(deployment.url, context) : [];
    const measurements = await runMeasurements(context);
    const report = {
      suite: suiteName,
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "unknown", bun: Bun.version },
      ...(scenarios.length
        ? {
            scenarios: {
              settings: {
                requests: total,
                concurrency,
                warmup,
                path: "client → Caddy → service processes → PostgreSQL",
              },
              baseline: suite.scenarios?.[0]?.name,
              results: scenarios,
            },
          }
        : {}),
      ...(measurements.length
        ? {
            measurements: {
              settings: {
                rounds,
                warmupRounds: roundWarmup,
                workers: suite.deployment !== false && suite.deployment?.workers ? 1 : 0,
              },
              baseline: suite.measurements?.[0]?.name,
              results: measurements,
            },
          }
        : {}),
    };
    const folder = join(import.meta.dir, "..", "results");
    mkdirSync(folder, { recursive: true });
    const file = join(folder, `${suiteName}-${report.date.slice(0, 16).replace(/[:T]/g, "-")}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    if (scenarios.length)
      console.log(
        `\nratios against "${report.scenarios?.baseline}" (same run): ${scenarios
          .map((r) => `${r.name}: p50 ×${r.p50Ratio}, throughput ×${r.throughputRatio}`)
          .join("; ")}`,
      );
    for (const baseline of new Set(measurements.map((result) => result.baseline)))
      console.log(
        `\nratios against "${baseline}" (same run): ${measurements
          .filter((r) => r.baseline === baseline)
          .map((r) => `${r.name}: duration ×${r.durationRatio}, throughput ×${r.throughputRatio}`)
          .join("; ")}`,
      );
    console.log(`written to ${file}`);
    if ([...scenarios, ...measurements].some((result) => result.errors > 0)) process.exitCode = 1;
  } finally {
    await suite.teardown?.(context);
  }
} finally {
  await deployment?.stop();
}
