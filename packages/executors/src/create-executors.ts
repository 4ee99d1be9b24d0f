import type { TAction, TExecutionTarget, TRunOn } from "@opsc/contracts/execution/actions";
import type { VaultKeys } from "@opsc/vault";
import type { ExecuteRequest, ExecuteResult, Executor, SecretSink } from "./executor.ts";
import { HttpExecutor } from "./http-executor.ts";
import { LocalExecutor, type LocalExecutorOptions } from "./local-executor.ts";
import { NoopExecutor } from "./noop-executor.ts";
import { SshExecutor } from "./ssh-executor.ts";
import type { SshPoolOptions } from "./ssh-pool.ts";
import { TaskControl } from "./task-control.ts";

/** Options for {@link createExecutors}. */
export interface CreateExecutorsOptions {
  /** Opens the targets' sealed credentials. */
  vault: VaultKeys;
  /** Allow `runOn: local` (commands on the worker host itself); off unless the operator turns it on. */
  localEnabled: boolean;
  /** Environment and working directory of local commands (see {@link LocalExecutorOptions}). */
  local?: Omit<LocalExecutorOptions, "enabled">;
  /** Connection pool: channels per connection (8), idle timeout (60 s); SSH keepalive (15 s). */
  ssh?: SshPoolOptions & { keepaliveIntervalMs?: number };
  /** SSH: deadline for DNS + TCP connect and for the handshake + authentication; default 10 s. */
  connectTimeoutMs?: number;
}

/** What a task needs to be matched with its executor. */
export interface ExecutorSelection {
  action: TAction;
  runOn: TRunOn;
  target: Pick<TExecutionTarget, "kind">;
}

/** The executors of one worker, created once and shared by all its tasks. */
export interface Executors {
  /**
   * The executor for a task: noop for `noop`, http for `http`, local for commands and scripts with
   * `runOn: local`, ssh for them on an ssh target. A command or script on an http target gets an executor
   * whose every result is `failed` with error kind `unsupported`.
   */
  executorFor(task: ExecutorSelection): Executor;
  /** Cancels running tasks and closes the SSH connections. */
  close(): Promise<void>;
}

/** Fails every task with `unsupported`, saying why. */
class UnsupportedExecutor implements Executor {
  constructor(private readonly message: string) {}

  async execute(request: ExecuteRequest, _secrets?: SecretSink): Promise<ExecuteResult> {
    return new TaskControl(request).finish({ error: { kind: "unsupported", message: this.message } });
  }

  async close(): Promise<void> {}
}

/** Builds a worker's executors; see {@link Executors.executorFor} for which runs what. */
export function createExecutors(options: CreateExecutorsOptions): Executors {
  const noop = new NoopExecutor();
  const http = new HttpExecutor({ vault: options.vault });
  const local = new LocalExecutor({ ...options.local, enabled: options.localEnabled });
  const { keepaliveIntervalMs, ...pool } = options.ssh ?? {};
  const ssh = new SshExecutor({
    vault: options.vault,
    pool,
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    ...(keepaliveIntervalMs === undefined ? {} : { keepaliveIntervalMs }),
  });
  const commandOnHttpTarget = new UnsupportedExecutor(
    "commands and scripts run over SSH, and this target is an HTTP endpoint: use an http action, or runOn 'local'",
  );
  return {
    executorFor({ action, runOn, target }) {
      if (action.type === "noop") return noop;
      if (action.type === "http") return http;
      if (runOn === "local") return local;
      return target.kind === "ssh" ? ssh : commandOnHttpTarget;
    },
    async close() {
      await Promise.all([local.close(), ssh.close()]);
    },
  };
}
