import type { THost, TOpenPort, TTargetSuggestion } from "@opsc/contracts/discovery/results";

const HTTPS_PORTS = new Set([443, 8443]);
const HTTP_PORTS = new Set([80, 8080, 8000, 8008, 8888]);
const NAME_MAX = 100;

/** A target name from the host's DNS name, else from its address (`host-10-0-0-7`). */
export function suggestName(host: Pick<THost, "address" | "hostname">): string {
  const fromHostname = host.hostname
    ?.toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "")
    .slice(0, NAME_MAX);
  if (fromHostname) return fromHostname;
  const address = host.address
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `host-${address}`.slice(0, NAME_MAX);
}

function describePort(port: TOpenPort): string {
  const label = `${port.port}/${port.service ?? "tcp"}`;
  const details = [port.banner, port.http?.server, port.http?.title ? `"${port.http.title}"` : null].filter(
    Boolean,
  );
  return details.length ? `${label} (${details.join(", ")})` : label;
}

/** The port an HTTP target would be checked on: a port that answered HTTP(S), else a usual web port. */
function webPort(ports: TOpenPort[]): TOpenPort | undefined {
  return (
    ports.find((port) => port.service === "https") ??
    ports.find((port) => port.service === "http") ??
    ports.find((port) => HTTPS_PORTS.has(port.port)) ??
    ports.find((port) => HTTP_PORTS.has(port.port))
  );
}

/**
 * How an import would create the host as a target: kind ssh when port 22 (or another port with an SSH banner)
 * is open, else http; tags `discovered=yes`, `service=ssh|http` and `os=<hint>` when a banner names one.
 */
export function suggestTarget(host: THost, scanName: string): TTargetSuggestion {
  const ssh =
    host.ports.find((port) => port.port === 22) ?? host.ports.find((port) => port.service === "ssh");
  const web = ssh ? undefined : (webPort(host.ports) ?? host.ports[0]);
  const scheme = web && (web.service === "https" || HTTPS_PORTS.has(web.port)) ? "https" : "http";
  const kind = ssh ? "ssh" : "http";
  const tags: Record<string, string> = { discovered: "yes", service: kind };
  if (host.osHint) tags.os = host.osHint;
  const description = `Discovered by scan "${scanName}": ${host.ports.map(describePort).join("; ")}`;
  return {
    name: suggestName(host),
    kind,
    port: (ssh ?? web)!.port,
    tags,
    http: kind === "http" ? { scheme, path: "/" } : null,
    description: description.slice(0, 2000),
  };
}

/** What changed between two sightings of a host: opened and closed ports, other banners, titles, names. */
export function describeChanges(previous: THost, current: THost): string[] {
  const changes: string[] = [];
  const before = new Map(previous.ports.map((port) => [port.port, port]));
  const after = new Map(current.ports.map((port) => [port.port, port]));
  for (const [number, port] of after) {
    const old = before.get(number);
    if (!old) {
      changes.push(`port ${number} opened`);
      continue;
    }
    if ((old.banner ?? null) !== (port.banner ?? null))
      changes.push(`port ${number} banner: ${old.banner ?? "none"} → ${port.banner ?? "none"}`);
    if ((old.http?.server ?? null) !== (port.http?.server ?? null))
      changes.push(`port ${number} server: ${old.http?.server ?? "none"} → ${port.http?.server ?? "none"}`);
    if ((old.http?.title ?? null) !== (port.http?.title ?? null))
      changes.push(`port ${number} title: ${old.http?.title ?? "none"} → ${port.http?.title ?? "none"}`);
  }
  for (const number of before.keys()) if (!after.has(number)) changes.push(`port ${number} closed`);
  if ((previous.hostname ?? null) !== (current.hostname ?? null))
    changes.push(`name: ${previous.hostname ?? "none"} → ${current.hostname ?? "none"}`);
  return changes;
}
