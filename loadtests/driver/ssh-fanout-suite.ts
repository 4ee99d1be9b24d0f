/**
 * `bun run bench ssh`: `true` on 200 SSH targets through the execution path (API → task stream → one execution
 * worker process with concurrency 50 → SSH → reports → run state), against Ansible's ad-hoc command (Debian's
 * ansible-core, forks 50) on the same hosts in the same run, with cold and with warm (reused) connections.
 *
 * The hosts: one OpenSSH server on 16 loopback addresses (127.0.0.1–127.0.0.16, one port; 16 is sshd's limit of
 * listening sockets) with 13 users, each with its own key. Target i logs in to address i mod 16 as user i div 16, so
 * every one of the 200 targets is a connection of its own for both sides: the worker's pool shares a connection per
 * address, port, user and credential, and Ansible's control sockets are per host, port and user. sshd runs with
 * MaxStartups 200:30:400 (its default 10:30:100 drops connections at 50 at once); MaxSessions stays at its default
 * (10): each connection runs one command at a time.
 *
 * Rounds: `BENCH_ROUNDS` (default 3 for this suite: an Ansible round takes half a minute on two cores) after
 * `BENCH_ROUND_WARMUP` (default 1). The warm measurements make sure their connections are warm themselves, whatever
 * the warm-up setting. `BENCH_SSH_ANSIBLE_DEFAULTS=1` adds Ansible with its default settings (no pipelining,
 * interpreter discovery: eight SSH connections per host; two minutes a round here). `BENCH_SSH_WORKER_BUN_OPTIONS`
 * (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) is passed to the execution worker processes as BUN_OPTIONS.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOpsClient, type OpsClient } from "@opsc/sdk";
import { type Deployment, type StartedSshd, startSshd } from "@opsc/testing";
import { createAdmin } from "./admin.ts";
import {
  type AnsibleHost,
  type AnsibleProfile,
  ansibleVersion,
  findAnsible,
  runAnsibleAdHoc,
  writeAnsibleFiles,
} from "./ansible.ts";
import {
  type CpuSnapshot,
  childrenMatching,
  cpuDelta,
  cpuSnapshot,
  type GroupRoots,
  matching,
  topmost,
} from "./cpu-time.ts";
import { percentile, type RoundOutcome } from "./measure.ts";
import type { Measurement, Suite } from "./suites.ts";

const TARGETS = 200;
/** Ansible's forks and the execution worker's EXECUTION_CONCURRENCY. */
const PARALLEL = 50;
/** 127.0.0.1 and 15 more: sshd listens on at most 16 sockets. */
const ADDRESSES = Array.from({ length: 16 }, (_, index) => `127.0.0.${index + 1}`);
const USERS = Math.ceil(TARGETS / ADDRESSES.length);
const MAX_STARTUPS = "200:30:400";
const TAG = "suite=ssh-fanout";
/** A pooled connection idles out after 60 s, and so does an Ansible control master: warm means used since. */
const WARM_FOR_MS = 45_000;
const RUN_TIMEOUT_MS = 300_000;
const POLL_MS = 20;

const ANSIBLE_COLD: AnsibleProfile = {
  name: "cold",
  controlPersist: false,
  pipelining: true,
  pinInterpreter: true,
};
const ANSIBLE_DEFAULTS: AnsibleProfile = {
  name: "defaults",
  controlPersist: false,
  pipelining: false,
  pinInterpreter: false,
};
const ANSIBLE_WARM: AnsibleProfile = {
  name: "warm",
  controlPersist: true,
  pipelining: true,
  pinInterpreter: true,
};
const withDefaults = process.env.BENCH_SSH_ANSIBLE_DEFAULTS === "1";

type Ops = OpsClient;
type TRun = Awaited<ReturnType<Ops["execution"]["runs"]["get"]["query"]>>;
type TTask = Awaited<ReturnType<Ops["execution"]["tasks"]["list"]["query"]>>["items"][number];

interface SshContext {
  ops: Ops;
  deployment: Deployment;
  sshd: StartedSshd;
  ansible: string;
  /** The temp dir with the keys and Ansible's files. */
  dir: string;
  /** When a round last used each kind of warm connections (performance.now()), to know they are still warm. */
  lastUsed: { worker: number; ansible: number };
  /** The process trees whose CPU time a round reports (see {@link cpuGroups}). */
  cpu: Record<string, GroupRoots>;
}

/**
 * What a round's CPU time is split into, measured exactly for the long-lived processes: the execution worker, the
 * execution service, the other services with Caddy, Ansible's control masters (warm Ansible: they leave the ansible
 * process tree), PostgreSQL and Redis (whole servers: other databases' work on this machine counts too) and this
 * driver process; the ansible process with everything it waited for comes from its resource usage (`cpuAnsibleMs`).
 * `cpuRestMs` is every core's busy time (`cpuMachineMs`) minus all those: sshd and everything it runs for the
 * logins (session processes, shells, Ansible's remote python), whose CPU time /proc cannot give (sshd's session
 * processes end without their time reaching the listener), and whatever else runs on the machine meanwhile.
 */
function cpuGroups(dir: string): Record<string, GroupRoots> {
  const escapedDir = dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return {
    worker: childrenMatching(process.pid, /workers\/execution\/src\/main\.ts/),
    execution: childrenMatching(process.pid, /services\/execution\/src\/main\.ts/),
    otherServices: childrenMatching(
      process.pid,
      /services\/(auth|users|targets|discovery)\/src\/main\.ts|caddy/,
    ),
    ansibleMasters: matching(new RegExp(`${escapedDir}.*\\[mux\\]`)),
    postgres: topmost("postgres"),
    redis: topmost("redis-server"),
  };
}

/**
 * Starts counting a round's CPU time; the returned function says what each part used since, given what was
 * measured otherwise (the ansible process's `cpuAnsibleMs`).
 */
function countCpu(
  context: SshContext,
): (measuredElsewhere?: Record<string, number>) => Record<string, number> {
  const before: CpuSnapshot = cpuSnapshot(context.cpu);
  const driverBefore = process.cpuUsage();
  return (measuredElsewhere = {}) => {
    const driver = process.cpuUsage(driverBefore);
    const used: Record<string, number> = {
      ...cpuDelta(before, cpuSnapshot(context.cpu)),
      cpuDriverMs: Math.round((driver.user + driver.system) / 1000),
      ...measuredElsewhere,
    };
    const known = Object.entries(used)
      .filter(([name]) => name !== "cpuMachineMs")
      .reduce((sum, [, value]) => sum + value, 0);
    return { ...used, cpuRestMs: (used.cpuMachineMs ?? Number.NaN) - known };
  };
}

/** Polls the run until its state is final (or the deadline passes); returns it and when that was seen. */
async function finished(ops: Ops, id: string): Promise<{ run: TRun; seenAt: number }> {
  const deadline = performance.now() + RUN_TIMEOUT_MS;
  for (;;) {
    const run = await ops.execution.runs.get.query({ id });
    const seenAt = performance.now();
    if (["succeeded", "failed", "cancelled"].includes(run.state) || seenAt > deadline) return { run, seenAt };
    await Bun.sleep(POLL_MS);
  }
}

async function allTasks(ops: Ops, runId: string): Promise<TTask[]> {
  const tasks: TTask[] = [];
  let cursor: string | undefined;
  do {
    const page = await ops.execution.tasks.list.query({ runId, limit: 1000, ...(cursor ? { cursor } : {}) });
    tasks.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return tasks;
}

const epoch = (timestamp: string | null | undefined) => (timestamp ? Date.parse(timestamp) : Number.NaN);

/**
 * One run of `true` on every target, timed from `runs.start` until `runs.get` shows the final state. `extra`
 * splits the time by the run's own timestamps: the first task's start after the run was created (dispatch), the
 * median and slowest task (connect if needed, exec, exit status), the run's end after its last task's (reports
 * ingested), and what the client saw beyond the run's duration (API calls, polling every 20 ms); then the CPU time
 * each part of the system used (see {@link cpuGroups}).
 */
async function runTrue(context: SshContext): Promise<RoundOutcome> {
  const cpuUsed = countCpu(context);
  const startedAt = performance.now();
  const { run: started } = await context.ops.execution.runs.start.mutate({
    action: { type: "command", command: "true" },
    targets: { selector: TAG },
  });
  const { run, seenAt } = await finished(context.ops, started.id);
  const durationMs = seenAt - startedAt;
  const cpu = cpuUsed();
  context.lastUsed.worker = performance.now();
  const errors = TARGETS - run.counts.succeeded;
  const tasks = await allTasks(context.ops, run.id);
  if (errors > 0 || run.counts.total !== TARGETS) {
    const failed = tasks.filter((task) => task.state !== "succeeded").slice(0, 3);
    console.error(
      `run ${run.id}: ${run.state}, ${JSON.stringify(run.counts)}; e.g. ${JSON.stringify(failed.map((task) => task.error ?? task.state))}`,
    );
  }
  const taskMs = tasks
    .map((task) => task.durationMs ?? Number.NaN)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const firstStart = Math.min(...tasks.map((task) => epoch(task.startedAt)));
  const lastFinish = Math.max(...tasks.map((task) => epoch(task.finishedAt)));
  const created = epoch(run.createdAt);
  return {
    items: TARGETS,
    errors,
    durationMs,
    extra: {
      dispatchMs: firstStart - created,
      taskP50Ms: percentile(taskMs, 0.5),
      taskMaxMs: taskMs.at(-1) ?? Number.NaN,
      tasksSpanMs: lastFinish - firstStart,
      ingestTailMs: epoch(run.finishedAt) - lastFinish,
      clientOverheadMs: durationMs - (epoch(run.finishedAt) - created),
      ...cpu,
    },
  };
}

/** Replaces the execution worker process by a fresh one (an empty SSH pool); not part of the measured time. */
async function restartWorker(context: SshContext): Promise<void> {
  const running = context.deployment.executionWorkers.filter((worker) => worker.proc.exitCode === null);
  for (const worker of running) await worker.stop();
  context.lastUsed.worker = 0;
  await context.deployment.startExecutionWorker();
}

/** One fresh `ansible` process over the 200 hosts, timed alone, with the CPU time of each part. */
function ansibleRound(profile: AnsibleProfile): Measurement<SshContext>["run"] {
  return async (context) => {
    const cpuUsed = countCpu(context);
    const startedAt = performance.now();
    const outcome = await runAnsibleAdHoc(context.ansible, context.dir, profile, {
      hosts: TARGETS,
      forks: PARALLEL,
    });
    const durationMs = performance.now() - startedAt;
    return { ...outcome, durationMs, extra: cpuUsed(outcome.extra) };
  };
}

const ours = `1 execution worker, concurrency ${PARALLEL}`;
const ansibleName = (settings: string) =>
  `Ansible ad-hoc command, forks ${PARALLEL}, ${settings} (Debian ansible-core)`;

const measurements: Measurement<SshContext>[] = [
  {
    name: `baseline: ${TARGETS} hosts, cold: ${ansibleName("no ControlPersist, pipelining")}`,
    run: ansibleRound(ANSIBLE_COLD),
  },
  ...(withDefaults
    ? [
        {
          name: `${TARGETS} hosts, cold: ${ansibleName("its defaults without ControlPersist")}`,
          run: ansibleRound(ANSIBLE_DEFAULTS),
        },
      ]
    : []),
  {
    name: `${TARGETS} targets, cold (fresh worker process): ${ours}`,
    async run(context) {
      await restartWorker(context);
      return runTrue(context);
    },
  },
  {
    name: `${TARGETS} targets, warm (pooled connections): ${ours}`,
    run: warmRun,
  },
  {
    name: `warm baseline: ${TARGETS} hosts, warm: ${ansibleName("ControlPersist 60s, pipelining")}`,
    baseline: true,
    async run(context) {
      // A round on connections that are gone by now would be a cold one: warm them up first, unmeasured.
      if (performance.now() - context.lastUsed.ansible > WARM_FOR_MS)
        await ansibleRound(ANSIBLE_WARM)(context);
      const outcome = await ansibleRound(ANSIBLE_WARM)(context);
      context.lastUsed.ansible = performance.now();
      return outcome;
    },
  },
  {
    name: `${TARGETS} targets, warm (pooled connections): ${ours} (again)`,
    run: warmRun,
  },
];

/** A run on the worker's pooled connections, after an unmeasured run when they may have idled out. */
async function warmRun(context: SshContext): Promise<RoundOutcome> {
  if (performance.now() - context.lastUsed.worker > WARM_FOR_MS) await runTrue(context);
  return runTrue(context);
}

/** Waits until every target has its host key pinned (through the targets service, after the run's reports). */
async function waitForPins(ops: Ops): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { items } = await ops.targets.list.query({ tag: [TAG], limit: TARGETS });
    const unpinned = items.filter((target) => !target.hostKey).length;
    if (unpinned === 0 && items.length === TARGETS) return;
    if (Date.now() > deadline)
      throw new Error(`${unpinned} of ${items.length} targets have no pinned host key after the first run`);
    await Bun.sleep(100);
  }
}

export const ssh: Suite<SshContext> = {
  deployment: {
    executionWorkers: 1,
    executionWorkerEnv: {
      EXECUTION_CONCURRENCY: String(PARALLEL),
      ...(process.env.BENCH_SSH_WORKER_BUN_OPTIONS
        ? { BUN_OPTIONS: process.env.BENCH_SSH_WORKER_BUN_OPTIONS }
        : {}),
    },
  },
  rounds: 3,
  async setup(url, setupToken, deployment) {
    const ansible = findAnsible();
    console.log(`${ansibleVersion(ansible)}; ${TARGETS} targets on ${ADDRESSES.length} loopback addresses`);
    const sshd = await startSshd({
      users: USERS,
      listenAddresses: ADDRESSES.slice(1),
      maxStartups: MAX_STARTUPS,
    });
    const dir = mkdtempSync(join(tmpdir(), "opsc-bench-ssh-"));
    try {
      const ops = createOpsClient({ baseUrl: url, token: await createAdmin(url, setupToken) });
      const credentials = await Promise.all(
        sshd.users.map((user) =>
          ops.targets.credentials.create.mutate({
            name: `ssh-fanout-${user.username}`,
            secret: { kind: "ssh_key", username: user.username, privateKey: user.privateKeyPem },
          }),
        ),
      );
      const hosts: AnsibleHost[] = Array.from({ length: TARGETS }, (_, index) => {
        const user = sshd.users[Math.floor(index / ADDRESSES.length)]!;
        return {
          name: `ssh-fanout-${String(index).padStart(3, "0")}`,
          address: ADDRESSES[index % ADDRESSES.length]!,
          port: sshd.port,
          user: user.username,
          keyFile: join(dir, `${user.username}.key`),
        };
      });
      for (const user of sshd.users)
        writeFileSync(join(dir, `${user.username}.key`), user.privateKeyPem, { mode: 0o600 });
      writeAnsibleFiles(dir, hosts, [ANSIBLE_COLD, ANSIBLE_DEFAULTS, ANSIBLE_WARM]);
      for (let from = 0; from < TARGETS; from += 20)
        await Promise.all(
          hosts.slice(from, from + 20).map((host, offset) =>
            ops.targets.create.mutate({
              name: host.name,
              address: host.address,
              port: host.port,
              kind: "ssh",
              credentialId: credentials[Math.floor((from + offset) / ADDRESSES.length)]!.id,
              tags: { suite: "ssh-fanout" },
            }),
          ),
        );
      const context: SshContext = {
        ops,
        deployment,
        sshd,
        ansible,
        dir,
        lastUsed: { worker: 0, ansible: 0 },
        cpu: cpuGroups(dir),
      };
      // One run before any measurement: every target answers, and its host key is pinned on first use, so the
      // measured runs check pinned keys as they would in use.
      const check = await runTrue(context);
      if (check.errors > 0) throw new Error(`${check.errors} of ${TARGETS} targets failed the first run`);
      await waitForPins(ops);
      return context;
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      await sshd.stop();
      throw error;
    }
  },
  async teardown({ sshd, dir }) {
    // Ansible's control masters end with their connections, which sshd's stop closes.
    await sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  },
  measurements,
};
