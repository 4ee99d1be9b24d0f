/**
 * `bun run bench <suite>`: measures the scenarios of a suite against the real system on this machine (services as
 * processes behind Caddy, over a fresh database), each as a ratio against the suite's baseline measured in the same
 * run, and writes the results to loadtests/results/. The k6 suites in loadtests/k6 describe the same scenarios for
 * machines where k6 runs.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { startDeployment } from "@opsc/testing";
import { runScenario, type ScenarioResult } from "./measure.ts";
import { SUITES } from "./suites.ts";

const suiteName = process.argv[2] ?? "";
const suite = SUITES[suiteName];
if (!suite) {
  console.error(`usage: bun run bench <suite>   (suites: ${Object.keys(SUITES).join(", ")})`);
  process.exit(2);
}
const total = Number(process.env.BENCH_REQUESTS ?? 2000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const warmup = Number(process.env.BENCH_WARMUP ?? 200);

const deployment = await startDeployment({ logLevel: "error", authEnv: { SIGN_IN_RATE_LIMIT_MAX: "1000" } });
try {
  const context = await suite.setup(deployment.url, deployment.setupToken);
  const results: (ScenarioResult & { p50Ratio: number; throughputRatio: number })[] = [];
  let baseline: ScenarioResult | undefined;
  for (const scenario of suite.scenarios) {
    const result = await runScenario(scenario.name, () => scenario.request(deployment.url, context), {
      total,
      concurrency,
      warmup,
    });
    baseline ??= result;
    results.push({
      ...result,
      p50Ratio: Math.round((result.p50Ms / baseline.p50Ms) * 100) / 100,
      throughputRatio: Math.round((result.throughputPerSecond / baseline.throughputPerSecond) * 100) / 100,
    });
    console.log(
      `${scenario.name.padEnd(44)} p50 ${String(result.p50Ms).padStart(7)} ms  p99 ${String(result.p99Ms).padStart(7)} ms  ` +
        `${String(result.throughputPerSecond).padStart(8)}/s  errors ${result.errors}`,
    );
  }
  const report = {
    suite: suiteName,
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "unknown", bun: Bun.version },
    settings: {
      requests: total,
      concurrency,
      warmup,
      path: "client → Caddy → service processes → PostgreSQL",
    },
    baseline: suite.scenarios[0]?.name,
    results,
  };
  const folder = join(import.meta.dir, "..", "results");
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${suiteName}-${report.date.slice(0, 16).replace(/[:T]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(
    `\nratios against "${report.baseline}" (same run): ${results.map((r) => `${r.name}: p50 ×${r.p50Ratio}, throughput ×${r.throughputRatio}`).join("; ")}`,
  );
  console.log(`written to ${file}`);
  if (results.some((result) => result.errors > 0)) process.exitCode = 1;
} finally {
  await deployment.stop();
}
