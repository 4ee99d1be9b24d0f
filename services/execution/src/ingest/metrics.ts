import { metricsRegistry } from "@opsc/server-kit/metrics";
import { Gauge } from "prom-client";

const sources = new Set<() => Promise<number>>();

/**
 * Reports and log chunks waiting for the service (entries are deleted once applied, so the stream's length is the
 * backlog). Growing means the service falls behind its workers. Read at scrape time.
 */
export const reportsBacklog = new Gauge({
  name: "opsc_execution_reports_backlog",
  help: "Worker reports and log chunks not yet applied by the execution service",
  registers: [metricsRegistry],
  async collect() {
    let backlog = 0;
    for (const source of sources) backlog = Math.max(backlog, await source().catch(() => 0));
    this.set(backlog);
  },
});

/** Counts `read()` at each scrape until the returned function is called. */
export function trackReportsBacklog(read: () => Promise<number>): () => void {
  sources.add(read);
  return () => sources.delete(read);
}
