// k6 run -e OPSC_URL=https://ops.example.com -e OPSC_API_KEY=opsc_... -e OPSC_SELECTOR='suite=bench' loadtests/k6/steps.ts
// Multi-step job runs under load, as `bun run bench steps` measures one of them (loadtests/driver/steps-suite.ts), for
// machines where k6 is installed. The API key needs the operator role; the selector names no-op-safe targets.
//
// Setup creates (or reuses) the job `k6-steps`: OPSC_STEPS no-op steps (default 40), target-first, on the selector.
// - jobs: a constant arrival rate of job runs (OPSC_RUNS_PER_SECOND, default 2) through REST, each followed to its
//   final state; `job_run_duration` is the start call to the final state, `step_transition` the time from one step's
//   end to the next step's start on the same target, read from the run's tasks.
import { check, sleep } from "k6";
import http from "k6/http";
import { Counter, Trend } from "k6/metrics";
import type { Options } from "k6/options";

const url = __ENV.OPSC_URL ?? "http://127.0.0.1:8080";
const apiKey = __ENV.OPSC_API_KEY ?? "";
const selector = __ENV.OPSC_SELECTOR ?? "suite=bench";
const steps = Number(__ENV.OPSC_STEPS ?? 40);
const runsPerSecond = Number(__ENV.OPSC_RUNS_PER_SECOND ?? 2);
const headers = { "x-api-key": apiKey, "content-type": "application/json" };

const jobRunDuration = new Trend("job_run_duration", true);
const stepTransition = new Trend("step_transition", true);
const runsNotSucceeded = new Counter("job_runs_not_succeeded");

export const options: Options = {
  scenarios: {
    jobs: {
      executor: "constant-arrival-rate",
      rate: runsPerSecond,
      timeUnit: "1s",
      duration: "60s",
      preAllocatedVUs: 20,
      maxVUs: 100,
      exec: "runAndFollow",
    },
  },
  thresholds: {
    http_req_failed: ["rate<0.001"],
    job_runs_not_succeeded: ["count<1"],
    step_transition: ["p(50)<5"],
  },
};

interface Task {
  stepIndex: number;
  startedAt: string | null;
  finishedAt: string | null;
}

export function setup(): { jobId: string } {
  const name = "k6-steps";
  const found = http.get(`${url}/api/v1/jobs/items?search=${name}`, { headers });
  const existing = (found.json() as unknown as { items: { id: string; name: string }[] }).items.find(
    (job) => job.name === name,
  );
  if (existing) return { jobId: existing.id };
  const created = http.post(
    `${url}/api/v1/jobs/items`,
    JSON.stringify({
      name,
      definition: {
        targets: { selector },
        steps: Array.from({ length: steps }, (_, index) => ({
          key: `s${index}`,
          name: `step ${index}`,
          action: { type: "noop" },
        })),
      },
    }),
    { headers },
  );
  check(created, { "job created": (r) => r.status === 200 });
  return { jobId: (created.json() as unknown as { id: string }).id };
}

export function runAndFollow(data: { jobId: string }): void {
  const started = Date.now();
  const response = http.post(
    `${url}/api/v1/jobs/items/${data.jobId}/run`,
    JSON.stringify({ parameters: {} }),
    {
      headers,
    },
  );
  check(response, { "run 200": (r) => r.status === 200 });
  if (response.status !== 200) return;
  const runId = (response.json() as unknown as { runId: string }).runId;
  for (let polls = 0; polls < 600; polls++) {
    const run = http.get(`${url}/api/v1/execution/runs/${runId}`, { headers });
    const state = (run.json() as unknown as { state: string }).state;
    if (state === "succeeded" || state === "failed" || state === "cancelled") {
      jobRunDuration.add(Date.now() - started);
      if (state !== "succeeded") runsNotSucceeded.add(1);
      const tasks = http.get(`${url}/api/v1/execution/runs/${runId}/tasks?limit=1000`, { headers });
      const items = (tasks.json() as unknown as { items: Task[] }).items;
      const byStep = items.filter((task) => task.startedAt && task.finishedAt);
      for (let index = 1; index < byStep.length; index++)
        if (byStep[index]!.stepIndex === byStep[index - 1]!.stepIndex + 1)
          stepTransition.add(
            Date.parse(byStep[index]!.startedAt!) - Date.parse(byStep[index - 1]!.finishedAt!),
          );
      return;
    }
    sleep(0.05);
  }
  runsNotSucceeded.add(1);
}
