import type { TDomainEvent } from "@opsc/contracts";
import { streamKey } from "@opsc/contracts";
import { createOpsClient, type OpsClient } from "@opsc/sdk";
import type { Deployment } from "@opsc/testing";

const PASSWORD = "system worker test password";

/** Creates the first administrator through the gateway and returns an SDK client signed in as them. */
export async function signInAdmin(deployment: Deployment): Promise<OpsClient> {
  const setup = await fetch(`${deployment.url}/api/v1/auth/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      token: deployment.setupToken,
      email: "admin@example.com",
      name: "Admin",
      password: PASSWORD,
    }),
  });
  if (!setup.ok) throw new Error(`setup failed: ${setup.status} ${await setup.text()}`);
  const signIn = await fetch(`${deployment.url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: deployment.url },
    body: JSON.stringify({ email: "admin@example.com", password: PASSWORD }),
  });
  const token = signIn.headers.get("set-auth-token");
  if (!token) throw new Error(`sign-in failed: ${signIn.status}`);
  return createOpsClient({ baseUrl: deployment.url, token });
}

/** Polls `condition` until it returns a truthy value, or fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(
  what: string,
  condition: () => T | Promise<T>,
  { timeoutMs = 30_000, intervalMs = 50 } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(intervalMs);
  }
}

/** The domain events relayed to `${prefix}:events` so far. */
export async function readDomainEvents(deployment: Deployment): Promise<TDomainEvent[]> {
  const entries = await deployment.redis.redis.xrange(streamKey(deployment.redis.prefix, "events"), "-", "+");
  return entries
    .map(([, fields]) => fields)
    .filter((fields) => fields[fields.indexOf("type") + 1] !== "audit.recorded")
    .map((fields) => JSON.parse(fields[fields.indexOf("data") + 1]!) as TDomainEvent);
}

/** The sum of a Prometheus counter's samples (every label set) on a process's /metrics. */
export async function readCounter(port: number, name: string, labelFilter = ""): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labelFilter && !line.includes(labelFilter)) continue;
    total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}

/** History rows per target (the health_checks table of the targets schema). */
export async function countChecks(deployment: Deployment, targetIds: string[]): Promise<Map<string, number>> {
  const sql = new Bun.SQL(deployment.database.url);
  try {
    const rows = (await sql`
      select target_id::text as id, count(*)::int as checks from targets.health_checks group by target_id
    `) as { id: string; checks: number }[];
    const wanted = new Set(targetIds);
    return new Map(rows.filter((row) => wanted.has(row.id)).map((row) => [row.id, row.checks]));
  } finally {
    await sql.close();
  }
}
