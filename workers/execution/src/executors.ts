import { createExecutors, createRedactor } from "@opsc/executors";
import type { VaultKeys } from "@opsc/vault";
import type { TaskExecutors } from "./worker.ts";

/** The executors of this worker (one SSH pool, local, http, noop), chosen per task by its action and target. */
export function createTaskExecutors(options: {
  vault: VaultKeys;
  localEnabled: boolean;
  connectTimeoutMs: number;
}): TaskExecutors {
  const executors = createExecutors({
    vault: options.vault,
    localEnabled: options.localEnabled,
    connectTimeoutMs: options.connectTimeoutMs,
  });
  return {
    execute(request, onSecrets) {
      const { task } = request;
      return executors.executorFor(task).execute(
        {
          taskId: request.taskId,
          runId: request.runId,
          target: task.target,
          action: task.action,
          env: task.env,
          sudo: task.sudo,
          timeoutMs: task.timeoutMs,
          killGraceMs: request.killGraceMs,
          signal: request.signal,
          onOutput: request.onOutput,
          ...(request.artifacts ? { artifacts: request.artifacts } : {}),
        },
        onSecrets,
      );
    },
    redactor: (secrets) => createRedactor(secrets),
    close: () => executors.close(),
  };
}
