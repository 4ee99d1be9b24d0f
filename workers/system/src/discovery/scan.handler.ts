import type { TRunProgress } from "@opsc/contracts/discovery/runs";
import { planScan, ScanRefusedError, type ScanSummary, scanHosts } from "@opsc/scanner";
import type { HandlerContext } from "@opsc/streams";
import type { DiscoveryClientFactory } from "./discovery-client.ts";
import { RunReporter } from "./run-reporter.ts";

export interface ScanHandlerSettings {
  /** The job's visibility timeout: the handler heartbeats every third of it. */
  visibilityTimeoutMs: number;
  reportIntervalMs: number;
  reportBatchSize: number;
  /** For tests; the system's /etc/hosts otherwise. */
  hostsFile?: string | undefined;
}

/** Why the scan was stopped from our side; anything else that aborts it is the consumer's signal. */
class ScanStopped extends Error {
  constructor(readonly why: "cancelled" | "lost") {
    super(why === "cancelled" ? "cancelled by a user" : "the run is no longer this worker's");
  }
}

const progressOf = (summary: ScanSummary): TRunProgress => ({
  addressesTotal: summary.addressesTotal,
  addressesDone: summary.addressesDone,
  probesTotal: summary.probesTotal,
  probesDone: summary.probesDone,
  hostsFound: summary.hostsFound,
});

/** The totals a run reports from its first report on; a refused plan reports zeros and fails below. */
function initialProgress(spec: {
  ranges: string[];
  allowedRanges: string[];
  maxAddresses: number;
  ports: number[];
}) {
  let addressesTotal = 0;
  try {
    addressesTotal = planScan({
      cidrs: spec.ranges,
      allowedCidrs: spec.allowedRanges,
      maxAddresses: spec.maxAddresses,
    }).addressCount;
  } catch {
    // scanHosts plans again and throws the refusal, which finishes the run as failed.
  }
  return {
    addressesTotal,
    addressesDone: 0,
    probesTotal: addressesTotal * new Set(spec.ports).size,
    probesDone: 0,
    hostsFound: 0,
  };
}

async function withRetries<T>(attempts: number, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await Bun.sleep(500 * 2 ** attempt);
    }
  }
}

/**
 * `discovery.scan`: asks the service to start the run (it refuses a finished, cancelled or already running one,
 * and hands over the definition with the allowed ranges as they are now), scans, reports hosts in batches while
 * it runs, and finishes the run completed, cancelled or failed.
 *
 * Retries: a failure before the last attempt throws, and the retry (same message id) takes the run over and
 * scans again; results are upserted, so nothing is counted twice. The last attempt, and any refusal by the
 * scanner, finish the run as failed instead. When the consumer stops or the message is reclaimed, the scan stops
 * and the run is left running for whoever gets the message next.
 */
export function createScanHandler(options: {
  client: DiscoveryClientFactory;
  settings: ScanHandlerSettings;
}) {
  const { settings } = options;
  const heartbeatEveryMs = Math.max(100, Math.floor(settings.visibilityTimeoutMs / 3));
  return async (payload: { runId: string }, context: HandlerContext): Promise<void> => {
    const client = options.client(`discovery-scan:${context.messageId}:${context.attempt}`);
    const log = context.log.child({ runId: payload.runId });
    const start = await client.runs.start.mutate({ runId: payload.runId, messageId: context.messageId });
    if (!start.proceed || !start.spec) {
      log.info({ status: start.status, reason: start.reason }, "discovery run not started");
      return;
    }
    const spec = start.spec;
    const stop = new AbortController();
    const onConsumerAbort = () => stop.abort(context.signal.reason);
    context.signal.addEventListener("abort", onConsumerAbort, { once: true });
    const reporter = new RunReporter(
      {
        client,
        runId: spec.runId,
        messageId: context.messageId,
        intervalMs: settings.reportIntervalMs,
        batchSize: settings.reportBatchSize,
        log,
        onCancel: () => stop.abort(new ScanStopped("cancelled")),
        onLost: () => stop.abort(new ScanStopped("lost")),
      },
      initialProgress(spec),
    );
    const heartbeat = setInterval(() => {
      // A refused heartbeat aborts context.signal, which stops the scan.
      context.heartbeat().catch(() => undefined);
    }, heartbeatEveryMs);
    const finish = (outcome: "completed" | "failed" | "cancelled", error: string | null) =>
      withRetries(3, () =>
        client.runs.finish.mutate({
          runId: spec.runId,
          messageId: context.messageId,
          outcome,
          error: error?.slice(0, 2000) ?? null,
          progress: reporter.progress,
        }),
      );
    reporter.start();
    try {
      const summary = await scanHosts({
        cidrs: spec.ranges,
        allowedCidrs: spec.allowedRanges,
        maxAddresses: spec.maxAddresses,
        ports: spec.ports,
        timeoutMs: spec.timeoutMs,
        concurrency: spec.concurrency,
        reverseDns: spec.reverseDns,
        hostsFile: settings.hostsFile,
        signal: stop.signal,
        onHost: (host) => reporter.add(host),
        onProgress: (progress) => reporter.setProgress(progress),
      });
      reporter.stop();
      reporter.setProgress(progressOf(summary));
      await reporter.flush();
      const finished = await finish("completed", null);
      log.info(
        { ...progressOf(summary), durationMs: summary.durationMs, status: finished.status },
        "discovery run finished",
      );
    } catch (error) {
      reporter.stop();
      const reason = stop.signal.aborted ? stop.signal.reason : null;
      if (reason instanceof ScanStopped && reason.why === "cancelled") {
        await reporter.flush().catch(() => undefined);
        await finish("cancelled", null);
        log.info("discovery run cancelled");
        return;
      }
      // Stopping, or the message went to another consumer: leave the run to whoever runs the message next.
      if (context.signal.aborted) throw error;
      // The service gave the run to another message (ours went silent) or ended it: nothing left to do here.
      if (reason instanceof ScanStopped) {
        log.warn("discovery run taken over or ended elsewhere; stopped scanning");
        return;
      }
      const isLastAttempt = context.attempt >= context.maxAttempts;
      if (error instanceof ScanRefusedError || error instanceof RangeError || isLastAttempt) {
        await reporter.flush().catch(() => undefined);
        await finish("failed", (error as Error).message);
        log.warn({ err: error }, "discovery run failed");
        return;
      }
      throw error;
    } finally {
      reporter.stop();
      clearInterval(heartbeat);
      context.signal.removeEventListener("abort", onConsumerAbort);
    }
  };
}
