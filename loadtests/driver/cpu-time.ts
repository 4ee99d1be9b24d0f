/**
 * CPU time by process tree, from Linux's /proc: what a round of a measurement cost each part of the system (the
 * execution worker, the services, sshd and the shells it runs, PostgreSQL, Redis), in milliseconds of CPU. On a
 * machine with few cores, where every part competes for the same cores, this says what limits a number better
 * than wall-clock splits do. Off Linux every figure is NaN.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";

/** USER_HZ: /proc's unit of CPU time (Linux has used 100 on every common architecture for decades). */
const TICKS_PER_SECOND = 100;

interface ProcessCpu {
  pid: number;
  ppid: number;
  comm: string;
  /** The process's own user + system time, and its waited-for children's, in ticks. */
  ticks: number;
}

function readProcess(pid: number): ProcessCpu | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    // After "pid (comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime.
    const fields = stat.slice(close + 2).split(" ");
    const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
    return { pid, ppid: Number(fields[1]), comm, ticks };
  } catch {
    return null; // gone meanwhile
  }
}

function allProcesses(): ProcessCpu[] {
  if (!existsSync("/proc/self/stat")) return [];
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => readProcess(Number(entry)) ?? []);
}

/** The command line of `pid`, arguments joined by spaces ("" when it is gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

/** Which processes form a group: its roots (each counted with all its descendants). */
export type GroupRoots = (processes: ProcessCpu[]) => number[];

/** CPU time so far of each group's process trees, in ms; and the machine's busy time over all cores. */
export type CpuSnapshot = Record<string, number>;

function machineBusyMs(): number {
  try {
    const [cpu] = readFileSync("/proc/stat", "utf8").split("\n");
    // cpu user nice system idle iowait irq softirq steal ...: busy is everything but idle and iowait.
    const values = cpu!.trim().split(/\s+/).slice(1).map(Number);
    const busy = values.reduce((sum, value, index) => (index === 3 || index === 4 ? sum : sum + value), 0);
    return (busy * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/**
 * The CPU time each group's trees have used so far (ms), plus `machine`: every core's busy time, all processes of
 * the machine included. A process's time counts once its parent has waited for it, so the difference between
 * two snapshots is what the group used in between, including processes that started and ended in between.
 */
export function cpuSnapshot(groups: Record<string, GroupRoots>): CpuSnapshot {
  const processes = allProcesses();
  const children = new Map<number, ProcessCpu[]>();
  for (const process of processes)
    children.set(process.ppid, [...(children.get(process.ppid) ?? []), process]);
  const byPid = new Map(processes.map((process) => [process.pid, process]));
  const treeTicks = (pid: number): number =>
    (byPid.get(pid)?.ticks ?? 0) +
    (children.get(pid) ?? []).reduce((sum, child) => sum + treeTicks(child.pid), 0);
  const snapshot: CpuSnapshot = { machine: machineBusyMs() };
  for (const [name, roots] of Object.entries(groups)) {
    const ticks = processes.length
      ? roots(processes).reduce((sum, pid) => sum + treeTicks(pid), 0)
      : Number.NaN;
    snapshot[name] = (ticks * 1000) / TICKS_PER_SECOND;
  }
  return snapshot;
}

/** `after − before` per group, as `cpu<Group>Ms` numbers for a round's `extra`. */
export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [name, value] of Object.entries(after))
    delta[`cpu${name[0]!.toUpperCase()}${name.slice(1)}Ms`] = Math.round(value - (before[name] ?? 0));
  return delta;
}

/** Roots: the processes whose command (`comm`) is `name` and whose parent's is not (e.g. the postmaster). */
export function topmost(name: string): GroupRoots {
  return (processes) => {
    const comm = new Map(processes.map((process) => [process.pid, process.comm]));
    return processes
      .filter((process) => process.comm === name && comm.get(process.ppid) !== name)
      .map((process) => process.pid);
  };
}

/** Roots: the children of `parent` whose command line matches `pattern`. */
export function childrenMatching(parent: number, pattern: RegExp): GroupRoots {
  return (processes) =>
    processes
      .filter((process) => process.ppid === parent && pattern.test(commandLine(process.pid)))
      .map((process) => process.pid);
}

/** Roots: every process whose command line matches `pattern`. */
export function matching(pattern: RegExp): GroupRoots {
  return (processes) =>
    processes.filter((process) => pattern.test(commandLine(process.pid))).map((process) => process.pid);
}
