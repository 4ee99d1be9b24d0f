import { metricsRegistry } from "@opsc/server-kit/metrics";
import { Counter, Histogram } from "prom-client";

/** From the task's message on its stream to the worker starting it (the queue's share of a task's latency). */
export const dispatchLatency = new Histogram({
  name: "opsc_execution_dispatch_latency_seconds",
  help: "Time from a task's enqueue to its start on a worker",
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120],
  registers: [metricsRegistry],
});

/** Tasks by how they ended on this worker. */
export const taskOutcomes = new Counter({
  name: "opsc_execution_tasks_total",
  help: "Tasks finished by this worker, by final status",
  labelNames: ["status"] as const,
  registers: [metricsRegistry],
});
