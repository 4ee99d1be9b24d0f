import type { THost } from "@opsc/contracts/discovery/results";
import type { TRunProgress } from "@opsc/contracts/discovery/runs";
import type { Logger } from "@opsc/logger";
import type { DiscoveryClient } from "./discovery-client.ts";

export interface RunReporterOptions {
  client: DiscoveryClient;
  runId: string;
  messageId: string;
  /** Report at least this often, hosts or not: the service takes silence for a dead worker. */
  intervalMs: number;
  /** Report as soon as this many hosts wait. */
  batchSize: number;
  log: Logger;
  /** A user asked to cancel the run. */
  onCancel(): void;
  /** The run is not ours any more (finished, or taken over after we went silent). */
  onLost(): void;
}

/**
 * Sends a running scan's hosts and counters to the discovery service in batches, one report at a time. A failed
 * report keeps its hosts for the next one; while reports keep failing, `add` waits, which slows the scan down
 * rather than holding a growing backlog in memory.
 */
export class RunReporter {
  private hosts: THost[] = [];
  private latest: TRunProgress;
  private sending: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | null = null;
  private isLost = false;

  constructor(
    private readonly options: RunReporterOptions,
    initial: TRunProgress,
  ) {
    this.latest = initial;
  }

  start(): void {
    this.timer = setInterval(() => {
      void this.flush().catch((error) =>
        this.options.log.warn({ err: error }, "discovery report failed; will retry"),
      );
    }, this.options.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  get progress(): TRunProgress {
    return this.latest;
  }

  setProgress(progress: TRunProgress): void {
    this.latest = progress;
  }

  async add(host: THost): Promise<void> {
    this.hosts.push(host);
    if (this.hosts.length >= this.options.batchSize) await this.flush();
  }

  /** Sends what waits (and the counters); serialised, so reports arrive in order. */
  flush(): Promise<void> {
    const next = this.sending.catch(() => undefined).then(() => this.send());
    this.sending = next;
    return next;
  }

  private async send(): Promise<void> {
    if (this.isLost) return;
    const batch = this.hosts.splice(0, 1000);
    try {
      const reply = await this.options.client.runs.report.mutate({
        runId: this.options.runId,
        messageId: this.options.messageId,
        hosts: batch,
        progress: this.latest,
      });
      if (!reply.accepted) {
        this.isLost = true;
        this.options.onLost();
      } else if (reply.cancelRequested) this.options.onCancel();
    } catch (error) {
      this.hosts.unshift(...batch);
      throw error;
    }
    if (this.hosts.length >= this.options.batchSize) await this.send();
  }
}
