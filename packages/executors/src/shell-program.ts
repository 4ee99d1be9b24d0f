// What a command or script becomes on the host that runs it. Nothing the user wrote (command, script,
// environment) ever appears in a command line: a fixed bootstrap (`/bin/sh -s`) reads a generated program on
// its standard input, which exports the environment and hands the code to the chosen interpreter.
import { randomBytes } from "node:crypto";
import type { TAction, TExecutionTarget } from "@opsc/contracts/execution/actions";
import { shellQuote } from "@opsc/ssh/shell-quote";
import { ExecutorError } from "./task-control.ts";

type ShellAction = Extract<TAction, { type: "command" | "script" }>;
export type Shell = ShellAction["shell"];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The task's environment: the run's variables plus the `OPSC_` ones, which always win (the API refuses
 * `OPSC_` names; a message that carries one anyway does not override them).
 * @throws {ExecutorError} `invalid_request` for a name a shell cannot export or a value with a NUL byte.
 */
export function buildTaskEnvironment(request: {
  runId: string;
  taskId: string;
  target: Pick<TExecutionTarget, "name" | "address">;
  env: Record<string, string>;
  /** A directory made for the task's artifacts on this host (local); over SSH the program makes its own. */
  artifactsDir?: string;
}): Record<string, string> {
  const env: Record<string, string> = {
    ...request.env,
    OPSC_RUN_ID: request.runId,
    OPSC_TASK_ID: request.taskId,
    OPSC_TARGET_NAME: request.target.name,
    OPSC_TARGET_ADDRESS: request.target.address,
  };
  if (request.artifactsDir !== undefined) env.OPSC_ARTIFACTS_DIR = request.artifactsDir;
  else delete env.OPSC_ARTIFACTS_DIR;
  for (const [name, value] of Object.entries(env)) {
    if (!ENV_NAME.test(name))
      throw new ExecutorError(
        "invalid_request",
        `environment variable name ${JSON.stringify(name)} is invalid`,
      );
    if (value.includes("\0"))
      throw new ExecutorError("invalid_request", `environment variable ${name} contains a NUL byte`);
  }
  return env;
}

/**
 * How each shell runs the code. fd 3 carries the code (a here-document); the interpreter reads it as a file
 * (`/dev/fd/3`), so its standard input is free: /dev/null, never the rest of the program. pwsh will not run
 * a `-File` without a .ps1 name, so it reads fd 3 as its standard input and runs it as one script block.
 */
const INTERPRETERS: Record<Shell, string> = {
  sh: "exec /bin/sh /dev/fd/3 </dev/null",
  bash: "exec bash /dev/fd/3 </dev/null",
  zsh: "exec zsh /dev/fd/3 </dev/null",
  python3: "exec python3 /dev/fd/3 </dev/null",
  pwsh: `exec pwsh -NoLogo -NoProfile -NonInteractive -Command ${shellQuote(". ([scriptblock]::Create([Console]::In.ReadToEnd()))")} <&3 3<&-`,
};

/** Options of {@link buildShellProgram}. */
export interface ShellProgramOptions {
  /**
   * Make a fresh artifacts directory before the code runs (`mktemp -d` under `${TMPDIR:-/tmp}`, mode 0700),
   * export it as `OPSC_ARTIFACTS_DIR`, and announce it as the first line of stdout
   * (`\x1eOPSC-ARTIFACTS <nonce> <path>`, see `ArtifactsDirParser`), so the executor can fetch its files.
   * `handToSudoUser`: under sudo the directory is given to the login user (`$SUDO_UID`), who fetches the files.
   */
  artifactsDir?: { nonce: string; handToSudoUser: boolean };
}

/**
 * The program `/bin/sh -s` reads on stdin: `export NAME='value'` lines (each value single-quoted, so it arrives
 * verbatim), optionally the artifacts directory (see {@link ShellProgramOptions}), the code in a here-document on
 * fd 3 whose quoted, random delimiter turns off every expansion, and the `exec` of the interpreter. The shell's
 * own exit status or signal is the code's (exec, no wrapper).
 * @throws {ExecutorError} `invalid_request` for code with a NUL byte (no shell can carry one).
 */
export function buildShellProgram(
  env: Record<string, string>,
  action: ShellAction,
  options: ShellProgramOptions = {},
): string {
  const code = action.type === "command" ? action.command : action.script;
  if (code.includes("\0"))
    throw new ExecutorError("invalid_request", `the ${action.type} contains a NUL byte`);
  const lines = code.split("\n");
  let delimiter: string;
  do delimiter = `OPSC_CODE_${randomBytes(12).toString("hex")}`;
  while (lines.includes(delimiter));
  const exports = Object.entries(env).map(([name, value]) => `export ${name}=${shellQuote(value)}\n`);
  const artifacts = options.artifactsDir;
  if (artifacts && !/^[0-9a-f]{8,64}$/.test(artifacts.nonce)) throw new Error("nonce must be lower-case hex");
  const artifactLines = artifacts
    ? [
        `OPSC_ARTIFACTS_DIR=$(mktemp -d "\${TMPDIR:-/tmp}/opsc-artifacts.XXXXXXXXXX") || { echo 'opsc: could not create the artifacts directory' >&2; exit 125; }\n`,
        "export OPSC_ARTIFACTS_DIR\n",
        ...(artifacts.handToSudoUser
          ? [
              // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template.
              'if [ -n "${SUDO_UID:-}" ]; then chown "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$OPSC_ARTIFACTS_DIR"; fi\n',
            ]
          : []),
        `printf '\\036OPSC-ARTIFACTS ${artifacts.nonce} %s\\n' "$OPSC_ARTIFACTS_DIR"\n`,
      ]
    : [];
  return [
    ...exports,
    ...artifactLines,
    `exec 3<<'${delimiter}'\n`,
    code,
    code.endsWith("\n") ? "" : "\n",
    `${delimiter}\n`,
    `${INTERPRETERS[action.shell]}\n`,
  ].join("");
}

/** A program plus how to start it: the command line (fixed text) and everything for its stdin. */
export interface ShellInvocation {
  /** For a login shell (`sh -c`): contains no user data and no secret. */
  command: string;
  /** The same as an argv, for spawning without a shell. */
  argv: string[];
  stdin: string;
}

/** Runs the program as the current user. */
export function plainInvocation(program: string): ShellInvocation {
  return { command: "exec /bin/sh -s", argv: ["/bin/sh", "-s"], stdin: program };
}

/**
 * Runs the program as root through sudo. With a password, `sudo -S -p ''` reads it from the first line of
 * stdin without echoing it; the program follows after a random marker line. sudo reads nothing when it needs
 * no password (NOPASSWD, a cached timestamp), so the bootstrap under sudo skips lines up to the marker: the
 * password line is read and dropped there, never executed. Without a password `sudo -n` fails instead of
 * prompting. After a wrong password sudo reads its retries from the following lines and runs nothing.
 * @throws {ExecutorError} `credential` for a password with a line break (sudo -S reads a single line).
 */
export function sudoInvocation(program: string, password: string | undefined): ShellInvocation {
  if (password !== undefined && /[\r\n]/.test(password))
    throw new ExecutorError(
      "credential",
      "the sudo password contains a line break, which sudo -S cannot read",
    );
  const marker = `OPSC_BEGIN_${randomBytes(12).toString("hex")}`;
  const skipToMarker = [
    `while IFS= read -r line; do [ "$line" = ${marker} ] && exec /bin/sh -s; done`,
    "echo 'opsc: the program did not arrive on stdin' >&2; exit 125",
  ].join("; ");
  const sudo = password === undefined ? ["sudo", "-n"] : ["sudo", "-S", "-p", ""];
  const argv = [...sudo, "--", "/bin/sh", "-c", skipToMarker];
  return {
    command: `exec ${argv.map((arg) => (/^[A-Za-z0-9_/.-]+$/.test(arg) ? arg : shellQuote(arg))).join(" ")}`,
    argv,
    stdin: `${password === undefined ? "" : `${password}\n`}${marker}\n${program}`,
  };
}
