// k6 run -e OPSC_URL=https://ops.example.com -e OPSC_API_KEY=opsc_... -e OPSC_SELECTOR='suite=bench' loadtests/k6/exec.ts
// The execution path under load, as `bun run bench e2e` measures it (loadtests/driver/e2e-suite.ts), for machines
// where k6 is installed. The API key needs the operator role; the selector names no-op-safe targets (the runs are
// `noop` actions, which connect to nothing).
//
// - runs: a constant arrival rate of run starts (OPSC_RUNS_PER_SECOND, default 10), each followed to its final state
//   through REST; reports how long a run takes from the start call to its final state (`run_duration`) and how many
//   did not succeed.
// - tail: virtual users reading a running run's log from an offset in a loop, as the web app's viewer does when it
//   falls back from the live stream (`log_page_duration`).
import { check, sleep } from "k6";
import http from "k6/http";
import { Counter, Trend } from "k6/metrics";
import type { Options } from "k6/options";

const url = __ENV.OPSC_URL ?? "http://127.0.0.1:8080";
const apiKey = __ENV.OPSC_API_KEY ?? "";
const selector = __ENV.OPSC_SELECTOR ?? "suite=bench";
const runsPerSecond = Number(__ENV.OPSC_RUNS_PER_SECOND ?? 10);
const headers = { "x-api-key": apiKey, "content-type": "application/json" };

const runDuration = new Trend("run_duration", true);
const logPageDuration = new Trend("log_page_duration", true);
const runsNotSucceeded = new Counter("runs_not_succeeded");

export const options: Options = {
  scenarios: {
    runs: {
      executor: "constant-arrival-rate",
      rate: runsPerSecond,
      timeUnit: "1s",
      duration: "60s",
      preAllocatedVUs: 50,
      maxVUs: 200,
      exec: "startAndFollow",
    },
    tail: { executor: "constant-vus", vus: 8, duration: "60s", exec: "tailLog" },
  },
  thresholds: {
    http_req_failed: ["rate<0.001"],
    runs_not_succeeded: ["count<1"],
  },
};

interface Run {
  id: string;
  state: string;
}

function startRun(): Run | null {
  const response = http.post(
    `${url}/api/v1/execution/runs`,
    JSON.stringify({ action: { type: "noop" }, targets: { selector } }),
    { headers },
  );
  check(response, { "start 200": (r) => r.status === 200 });
  if (response.status !== 200) return null;
  return (response.json() as unknown as { run: Run }).run;
}

export function startAndFollow(): void {
  const started = Date.now();
  const run = startRun();
  if (!run) return;
  for (let polls = 0; polls < 600; polls++) {
    const response = http.get(`${url}/api/v1/execution/runs/${run.id}`, { headers });
    const state = (response.json() as unknown as Run).state;
    if (state === "succeeded" || state === "failed" || state === "cancelled") {
      runDuration.add(Date.now() - started);
      if (state !== "succeeded") runsNotSucceeded.add(1);
      return;
    }
    sleep(0.1);
  }
  runsNotSucceeded.add(1);
}

export function tailLog(): void {
  const run = startRun();
  if (!run) return;
  let after = "";
  for (let page = 0; page < 50; page++) {
    const query = `limit=1000${after ? `&after=${after}` : ""}`;
    const response = http.get(`${url}/api/v1/execution/runs/${run.id}/log?${query}`, { headers });
    check(response, { "log 200": (r) => r.status === 200 });
    logPageDuration.add(response.timings.duration);
    const body = response.json() as unknown as { nextOffset: string | null; complete: boolean };
    if (body.complete) return;
    after = body.nextOffset ?? after;
    sleep(0.2);
  }
}
