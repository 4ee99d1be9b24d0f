import { SECRET_ENV_OWNER } from "@opsc/contracts/execution/messages";
import { createExecutors, createRedactor } from "@opsc/executors";
import { open, type VaultKeys } from "@opsc/vault";
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
      // Secret parameters are opened only here, for the process's environment, and redacted from its output.
      const secrets = Object.fromEntries(
        Object.entries(task.secretEnv ?? {}).map(([name, sealed]) => [
          name,
          open(options.vault, sealed, SECRET_ENV_OWNER),
        ]),
      );
      const values = Object.values(secrets).filter((value) => value.length > 0);
      if (values.length > 0) onSecrets(values);
      return executors.executorFor(task).execute(
        {
          taskId: request.taskId,
          runId: request.runId,
          target: task.target,
          action: task.action,
          env: { ...task.env, ...secrets },
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
