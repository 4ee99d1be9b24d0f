import { describe, expect, test } from "bun:test";
import {
  buildShellProgram,
  buildTaskEnvironment,
  plainInvocation,
  type Shell,
  sudoInvocation,
} from "./shell-program.ts";
import { ExecutorError } from "./task-control.ts";

const NASTY = [
  `'; rm -rf / #`,
  "$(id)",
  "`id`",
  `\${HOME}`,
  "a\nb\r\n",
  `"double" \\ 'single'`,
  "ümlaut ✓",
  "",
];

/** Runs an invocation with a real local /bin/sh, as the local executor does. */
function run(argv: string[], stdin: string) {
  const proc = Bun.spawnSync(argv, { stdin: Buffer.from(stdin), env: { PATH: "/usr/bin:/bin" } });
  return {
    stdout: proc.stdout.toString(),
    stderr: proc.stderr.toString(),
    exitCode: proc.exitCode,
    signal: proc.signalCode,
  };
}

const runProgram = (env: Record<string, string>, action: Parameters<typeof buildShellProgram>[1]) => {
  const { argv, stdin } = plainInvocation(buildShellProgram(env, action));
  return run(argv, stdin);
};

const hasShell = (name: string) => Bun.which(name) !== null;

describe("buildTaskEnvironment", () => {
  const base = { runId: "r1", taskId: "t1", target: { name: "web-1", address: "10.0.0.5" } };

  test("adds the OPSC_ variables, which win over the run's", () => {
    expect(buildTaskEnvironment({ ...base, env: { A: "1", OPSC_TASK_ID: "forged" } })).toEqual({
      A: "1",
      OPSC_RUN_ID: "r1",
      OPSC_TASK_ID: "t1",
      OPSC_TARGET_NAME: "web-1",
      OPSC_TARGET_ADDRESS: "10.0.0.5",
    });
  });

  test("refuses names a shell cannot export and NUL bytes, without running anything", () => {
    for (const name of ["1A", "A-B", "$(id)", "A B", ""]) {
      expect(() => buildTaskEnvironment({ ...base, env: { [name]: "x" } })).toThrow(ExecutorError);
    }
    expect(() => buildTaskEnvironment({ ...base, env: { A: "a\0b" } })).toThrow("NUL");
  });
});

describe("buildShellProgram (run by a real /bin/sh)", () => {
  test("environment values arrive verbatim, never interpreted", () => {
    const env = Object.fromEntries(NASTY.map((value, i) => [`V${i}`, value]));
    const command = NASTY.map((_, i) => `printf '%s\\0' "$V${i}"`).join("; ");
    const result = runProgram(env, { type: "command", command, shell: "sh" });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split("\0").slice(0, -1)).toEqual(NASTY);
  });

  test("code reaches the interpreter literally, and its stdin is empty instead of the rest of the program", () => {
    const script = [
      "cat <<'EOF'",
      `$(id) \`id\` \${HOME} \\`,
      "EOF",
      "cat; echo stdin-was-empty",
      "echo OPSC_CODE_0123 'exec 3<&-'",
    ].join("\n");
    const result = runProgram({}, { type: "script", script, shell: "sh" });
    expect(result.stdout).toBe(`$(id) \`id\` \${HOME} \\\nstdin-was-empty\nOPSC_CODE_0123 exec 3<&-\n`);
  });

  test("a 1 MB script runs completely", () => {
    const script = `${"# padding padding padding padding padding padding padding padding\n".repeat(16_000)}echo last line`;
    expect(script.length).toBeGreaterThan(1_000_000);
    const result = runProgram({}, { type: "script", script, shell: "sh" });
    expect(result.stdout).toBe("last line\n");
  });

  test("the exit code and a deadly signal are the code's own", () => {
    expect(runProgram({}, { type: "command", command: "exit 7", shell: "sh" }).exitCode).toBe(7);
    expect(runProgram({}, { type: "command", command: "kill -TERM $$", shell: "sh" }).signal).toBe("SIGTERM");
  });

  const shells: { shell: Shell; code: string }[] = [
    { shell: "bash", code: 'printf "%s|%s" "$BASH_VERSION" "$GREETING"' },
    { shell: "zsh", code: 'printf "%s|%s" "$ZSH_VERSION" "$GREETING"' },
    { shell: "python3", code: "import os, sys\nsys.stdout.write('py|' + os.environ['GREETING'])" },
    { shell: "pwsh", code: 'Write-Host -NoNewline "ps|$env:GREETING"' },
  ];
  for (const { shell, code } of shells) {
    test.skipIf(!hasShell(shell))(`${shell} gets the code and the environment`, () => {
      const result = runProgram({ GREETING: "it's $(id)" }, { type: "script", script: code, shell });
      expect(result.stdout).toMatch(/^.+\|it's \$\(id\)$/);
    });
  }

  test("refuses code with a NUL byte", () => {
    expect(() => buildShellProgram({}, { type: "command", command: "echo a\0b", shell: "sh" })).toThrow(
      "NUL",
    );
  });
});

describe("sudoInvocation", () => {
  const program = buildShellProgram(
    { SECRET_FREE: "yes" },
    { type: "command", command: "set; env", shell: "sh" },
  );

  test("the command line holds neither the program nor the password", () => {
    const invocation = sudoInvocation(program, "pw-Sudo-123");
    expect(invocation.command.startsWith("exec sudo -S -p '' -- /bin/sh -c ")).toBe(true);
    expect(invocation.command).not.toContain("pw-Sudo-123");
    expect(invocation.command).not.toContain("SECRET_FREE");
    expect(invocation.stdin.startsWith("pw-Sudo-123\nOPSC_BEGIN_")).toBe(true);
    // The command line parses into exactly the argv (printf stands in for sudo, which this host may lack).
    const echoed = run(
      ["/bin/sh", "-c", invocation.command.replace(/^exec sudo/, "exec printf '%s\\0'")],
      "",
    );
    expect(echoed.stdout.split("\0").slice(0, -1)).toEqual(invocation.argv.slice(1));
    expect(sudoInvocation(program, undefined).argv.slice(0, 3)).toEqual(["sudo", "-n", "--"]);
  });

  test("after sudo, the bootstrap runs the program whether or not sudo read the password line", () => {
    const invocation = sudoInvocation(program, "pw-Sudo-123");
    const bootstrap = invocation.argv.slice(invocation.argv.indexOf("--") + 1);
    const afterPassword = invocation.stdin.slice("pw-Sudo-123\n".length);
    // sudo read the password (it needed one) / sudo read nothing (NOPASSWD or a cached timestamp).
    for (const stdin of [afterPassword, invocation.stdin]) {
      const result = run(bootstrap, stdin);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain("SECRET_FREE");
      expect(result.stdout + result.stderr).not.toContain("pw-Sudo-123");
    }
  });

  test("a stream without the marker runs nothing", () => {
    const { argv } = sudoInvocation(program, undefined);
    const bootstrap = argv.slice(argv.indexOf("--") + 1);
    const result = run(bootstrap, "echo should-not-run\n");
    expect(result.exitCode).toBe(125);
    expect(result.stdout).toBe("");
  });

  test("refuses a password sudo -S cannot read", () => {
    expect(() => sudoInvocation(program, "two\nlines")).toThrow("line break");
  });
});
