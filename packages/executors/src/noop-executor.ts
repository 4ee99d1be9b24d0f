import type { ExecuteRequest, ExecuteResult, Executor, SecretSink } from "./executor.ts";
import { TaskControl } from "./task-control.ts";

/**
 * Runs nothing: waits `action.sleepMs` (0 by default; cancellable, bounded by the task's timeout) and succeeds
 * with exit code 0 and no output. The instant case allocates one result and no timer, since the throughput benchmark runs
 * tens of thousands of these.
 */
export class NoopExecutor implements Executor {
  execute(request: ExecuteRequest, _secrets?: SecretSink): Promise<ExecuteResult> {
    const sleepMs = request.action.type === "noop" ? request.action.sleepMs : 0;
    if (sleepMs === 0 && !request.signal.aborted)
      return Promise.resolve({
        status: "succeeded",
        exitCode: 0,
        signal: null,
        error: null,
        cancel: null,
        observedHostKey: null,
        durationMs: 0,
      });
    return this.sleep(request, sleepMs);
  }

  private async sleep(request: ExecuteRequest, sleepMs: number): Promise<ExecuteResult> {
    const control = new TaskControl(request);
    if (control.stopCause) return control.finishNotStarted();
    const { signal } = control;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, sleepMs);
      signal.addEventListener("abort", done, { once: true });
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
    });
    return control.stopCause
      ? control.finish({ cancel: { outcome: "terminated", survivors: [], outputHeldOpen: false } })
      : control.finish({ exitCode: 0 });
  }

  async close(): Promise<void> {}
}
