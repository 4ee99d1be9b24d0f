/**
 * Ansible's ad-hoc command, the `ssh` suite's baseline: an inventory and one ansible.cfg per connection profile in
 * a temp dir of their own (ANSIBLE_CONFIG, ANSIBLE_HOME, the local temp dir and the control sockets all inside it),
 * `ansible all -m command -a true` in a fresh process per round, and the hosts counted from its one-line output.
 * Nothing in ~/.ansible, ~/.ssh/known_hosts or /etc/ansible is read or written; only the inventory's hosts are
 * contacted.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RoundOutcome } from "./measure.ts";

/** One inventory host: its name and where to log in. */
export interface AnsibleHost {
  name: string;
  address: string;
  port: number;
  user: string;
  /** A private key file (mode 0600). */
  keyFile: string;
}

/** How Ansible connects. */
export interface AnsibleProfile {
  /** A slug for the config file's name. */
  name: string;
  /** OpenSSH ControlMaster=auto, ControlPersist=60s: a round reuses the connections of the round before. */
  controlPersist: boolean;
  /**
   * One SSH connection per host (the module goes to the remote python's stdin) instead of Ansible's default
   * temp dir, put (sftp), chmod, run and remove, each a connection of its own without ControlPersist (with
   * interpreter discovery, eight connections per host for `-m command`).
   */
  pipelining: boolean;
  /**
   * `interpreter_python = /usr/bin/python3` instead of Ansible's default discovery, which costs one more SSH
   * command per host in every fresh `ansible` process.
   */
  pinInterpreter: boolean;
}

/** The ansible command, or an error that says how to install it (the suite never installs anything itself). */
export function findAnsible(): string {
  const ansible = Bun.which("ansible") ?? ["/usr/bin/ansible"].find(existsSync);
  if (!ansible)
    throw new Error(
      "the ssh suite compares with Ansible's ad-hoc command, and ansible is not installed: " +
        "apt-get install ansible-core (Debian's package), then run the suite again",
    );
  return ansible;
}

/** `ansible --version`'s first line, e.g. `ansible [core 2.14.18]`. */
export function ansibleVersion(ansible: string): string {
  const result = Bun.spawnSync([ansible, "--version"], { stdout: "pipe", stderr: "pipe" });
  return result.stdout.toString().split("\n")[0]?.trim() || "ansible (unknown version)";
}

/** The INI inventory of `hosts`, in group `fanout`. */
function inventory(hosts: AnsibleHost[]): string {
  const lines = hosts.map(
    (host) =>
      `${host.name} ansible_host=${host.address} ansible_port=${host.port} ansible_user=${host.user} ` +
      `ansible_ssh_private_key_file=${host.keyFile}`,
  );
  return `[fanout]\n${lines.join("\n")}\n`;
}

function config(dir: string, profile: AnsibleProfile): string {
  // No ssh_config of this machine or its root (-F), no host key checks and no known_hosts file: the hosts are
  // throw-away sshd addresses on loopback. -C is in Ansible's default ssh_args.
  const ssh = ["-F /dev/null", "-C", "-o UserKnownHostsFile=/dev/null", "-o LogLevel=ERROR"];
  if (profile.controlPersist) ssh.push("-o ControlMaster=auto", "-o ControlPersist=60s");
  else ssh.push("-o ControlMaster=no", "-o ControlPath=none");
  return [
    "[defaults]",
    `inventory = ${join(dir, "inventory.ini")}`,
    "host_key_checking = False",
    `local_tmp = ${join(dir, "local-tmp")}`,
    "retry_files_enabled = False",
    "deprecation_warnings = False",
    "gathering = explicit",
    profile.pinInterpreter ? "interpreter_python = /usr/bin/python3" : "interpreter_python = auto_silent",
    "",
    "[ssh_connection]",
    `ssh_args = ${ssh.join(" ")}`,
    `control_path_dir = ${join(dir, "cp")}`,
    `pipelining = ${profile.pipelining ? "True" : "False"}`,
    "",
  ].join("\n");
}

/** Writes the inventory and one ansible.cfg per profile into `dir`. */
export function writeAnsibleFiles(dir: string, hosts: AnsibleHost[], profiles: AnsibleProfile[]): void {
  mkdirSync(join(dir, "cp"), { recursive: true, mode: 0o700 });
  mkdirSync(join(dir, "home"), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, "inventory.ini"), inventory(hosts));
  for (const profile of profiles)
    writeFileSync(join(dir, `ansible-${profile.name}.cfg`), config(dir, profile));
}

/**
 * One `ansible all -m command -a true -f <forks> -o` over the inventory in `dir` with `profile`'s config: a fresh
 * process, as each ad-hoc command is. A host counts as an error unless its line says CHANGED or SUCCESS. `extra`
 * holds the CPU time of the ansible process and of everything it waited for (forks, ssh clients; not the control
 * masters, which leave its process tree).
 */
export async function runAnsibleAdHoc(
  ansible: string,
  dir: string,
  profile: AnsibleProfile,
  options: { hosts: number; forks: number },
): Promise<RoundOutcome> {
  const proc = Bun.spawn({
    cmd: [ansible, "all", "-m", "command", "-a", "true", "-f", String(options.forks), "-o"],
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      LANG: "C.UTF-8",
      HOME: join(dir, "home"),
      ANSIBLE_CONFIG: join(dir, `ansible-${profile.name}.cfg`),
      ANSIBLE_HOME: join(dir, "home", ".ansible"),
      ANSIBLE_NOCOLOR: "1",
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  const usage = proc.resourceUsage();
  const succeeded = stdout.split("\n").filter((line) => / \| (CHANGED|SUCCESS) \| /.test(line)).length;
  const errors = options.hosts - succeeded;
  if (errors > 0) {
    const failed = stdout
      .split("\n")
      .filter((line) => line.includes(" | ") && !/ \| (CHANGED|SUCCESS) \| /.test(line));
    console.error(
      `ansible (${profile.name}): ${errors} of ${options.hosts} hosts failed (exit ${proc.exitCode})\n` +
        `${failed.slice(0, 3).join("\n")}\n${stderr.slice(-2_000)}`,
    );
  }
  // The process's CPU time with that of every process it waited for: its forks and their ssh clients.
  const cpuAnsibleMs = usage ? Math.round(Number(usage.cpuTime.total) / 1000) : Number.NaN;
  return { items: options.hosts, errors, extra: { cpuAnsibleMs } };
}
