import { collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** One registry per process; every package registers its metrics here. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export const httpDuration = new Histogram({
  name: "opsc_http_request_duration_seconds",
  help: "HTTP request duration by route family and status",
  labelNames: ["service", "method", "route", "status"] as const,
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export const procedureDuration = new Histogram({
  name: "opsc_procedure_duration_seconds",
  help: "tRPC procedure duration by outcome",
  labelNames: ["service", "procedure", "outcome"] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metricsRegistry],
});
