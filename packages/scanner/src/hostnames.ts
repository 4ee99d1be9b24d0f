import { promises as dns } from "node:dns";
import { readFile } from "node:fs/promises";
import ipaddr from "ipaddr.js";
import { isLoopbackAddress } from "./cidr.ts";

/** The system's static host table. */
export const DEFAULT_HOSTS_FILE = "/etc/hosts";

/** PTR lookup: names for an address. The default asks the system resolver (`dns.reverse`). */
export type ReverseLookup = (address: string) => Promise<string[]>;

function canonical(address: string): string | null {
  if (!ipaddr.isValid(address)) return null;
  const parsed = ipaddr.parse(address);
  return parsed.kind() === "ipv6" ? (parsed as ipaddr.IPv6).toRFC5952String() : parsed.toString();
}

/** Parses a hosts file: canonical address → its first name. Later lines do not override earlier ones. */
export function parseHostsFile(content: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const rawLine of content.split("\n")) {
    const [address, name] = rawLine.replace(/#.*/, "").trim().split(/\s+/);
    if (!address || !name) continue;
    const key = canonical(address);
    if (key && !names.has(key)) names.set(key, name);
  }
  return names;
}

/** Names are a nicety: a missing or unreadable hosts file means no names from it, never a failed scan. */
async function loadHostsFile(path: string): Promise<Map<string, string>> {
  try {
    return parseHostsFile(await readFile(path, "utf8"));
  } catch {
    return new Map();
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise.catch(() => fallback),
    new Promise<T>((resolve) => {
      timer = setTimeout(() => resolve(fallback), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

export interface HostnameResolverOptions {
  /** Off: no names at all. On: the hosts file, then PTR lookups, except for loopback addresses. */
  reverseDns: boolean;
  hostsFile?: string | undefined;
  lookup?: ReverseLookup | undefined;
  timeoutMs: number;
}

/**
 * Names for scanned addresses. The hosts file is read once and consulted first. Loopback addresses are never
 * looked up in DNS: a PTR query for 127.x.in-addr.arpa would be traffic to the resolver about an address that
 * only exists on this machine, so they get a hosts-file name or none.
 */
export function createHostnameResolver(
  options: HostnameResolverOptions,
): (address: string) => Promise<string | null> {
  if (!options.reverseDns) return async () => null;
  let hosts: Promise<Map<string, string>> | undefined;
  const lookup = options.lookup ?? ((address: string) => dns.reverse(address));
  return async (address) => {
    hosts ??= loadHostsFile(options.hostsFile ?? DEFAULT_HOSTS_FILE);
    const key = canonical(address) ?? address;
    const fromFile = (await hosts).get(key);
    if (fromFile) return fromFile;
    if (isLoopbackAddress(address)) return null;
    const names = await withTimeout(lookup(address), options.timeoutMs, []);
    return names[0]?.replace(/\.$/, "") ?? null;
  };
}
