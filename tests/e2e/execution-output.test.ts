/**
 * A task printing 250 MB, with the worker as a process of its own: the output reaches PostgreSQL whole, in order,
 * while the worker's memory stays bounded. Its peak resident size (VmHWM in /proc) grows by about 80 MB here, the
 * same for 100 MB or 300 MB of output (garbage the collector has not returned yet), so the test allows half the
 * output: a worker that held the output would grow by more than all of it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { TRun } from "@opsc/contracts/execution/runs";
import type { OpsClient } from "@opsc/sdk";
import { type Deployment, startDeployment } from "@opsc/testing";
import { deploymentAdmin } from "../support/deployment-admin.ts";

const OUTPUT_BYTES = 250_000_000;
let deployment: Deployment;
let ops: OpsClient;

beforeAll(async () => {
  deployment = await startDeployment({
    executionWorkers: 1,
    executionWorkerEnv: { EXECUTION_LOCAL_ENABLED: "true" },
  });
  ops = await deploymentAdmin(deployment);
}, 120_000);

afterAll(async () => {
  await deployment?.stop();
});

/** Resident set size now and at its peak, in bytes, from /proc/<pid>/status. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
}

test("250 MB of output: all of it stored, in order; the worker's peak memory grows by a fraction of it", async () => {
  const target = await ops.targets.create.mutate({
    name: "loud",
    address: "127.0.0.1",
    port: 9,
    kind: "http",
  });
  const pid = deployment.executionWorkers[0]!.proc.pid;
  const before = memoryOf(pid);
  // 250 MB of numbered lines, so order and completeness can be checked without storing the output here.
  const lines = OUTPUT_BYTES / 20;
  const { run } = await ops.execution.runs.start.mutate({
    action: {
      type: "command",
      command: `seq -w 1 ${lines} | sed 's/^/line-/;s/$/-padding/' | head -c ${OUTPUT_BYTES}`,
    },
    runOn: "local",
    targets: { ids: [target.id] },
    timeoutSeconds: 600,
  });
  let done: TRun;
  for (;;) {
    done = await ops.execution.runs.get.query({ id: run.id });
    if (done.state === "succeeded" || done.state === "failed") break;
    await Bun.sleep(200);
  }
  expect(done.state).toBe("succeeded");
  const after = memoryOf(pid);
  const [task] = (await ops.execution.tasks.list.query({ runId: run.id })).items;
  expect(task!.outputBytes).toBe(OUTPUT_BYTES);
  // Read it back page by page: every line in order, nothing missing.
  let expected = 1;
  let carry = "";
  let bytes = 0;
  let offset: string | undefined;
  for (;;) {
    const page = await ops.execution.logs.read.query({
      runId: run.id,
      ...(offset ? { after: offset } : {}),
      limit: 200,
    });
    for (const chunk of page.items.filter((item) => item.stream === "stdout")) {
      bytes += Buffer.byteLength(chunk.text);
      const text = carry + chunk.text;
      const parts = text.split("\n");
      carry = parts.pop()!;
      for (const line of parts) {
        expect(Number(/^line-(\d+)-padding$/.exec(line)?.[1])).toBe(expected);
        expected++;
      }
    }
    if (page.items.length === 0) break;
    offset = page.nextOffset ?? undefined;
  }
  expect(bytes).toBe(OUTPUT_BYTES);
  const growth = after.peak - before.rss;
  expect(growth).toBeLessThan(OUTPUT_BYTES / 2);
}, 300_000);

test("the worker and the service expose the execution metrics", async () => {
  const worker = await (
    await fetch(`http://127.0.0.1:${deployment.executionWorkers[0]!.port}/metrics`)
  ).text();
  expect(worker).toMatch(/^opsc_execution_dispatch_latency_seconds_count [1-9]/m);
  expect(worker).toMatch(/^opsc_execution_tasks_total\{status="succeeded"\} [1-9]/m);
  expect(worker).toMatch(/^opsc_stream_queue_depth\{[^}]*stream="execution\.default"/m);
  const service = await (await fetch(`http://127.0.0.1:${deployment.ports.execution}/metrics`)).text();
  expect(service).toMatch(/^opsc_execution_reports_backlog \d+/m);
});
