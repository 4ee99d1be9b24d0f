import { createOpsClient } from "@opsc/sdk";
import type { Deployment, DeploymentOptions } from "@opsc/testing";
import { createAdmin, PASSWORD } from "./admin.ts";
import { e2e } from "./e2e-suite.ts";
import {
  HEALTH_DEPLOYMENT,
  type HealthContext,
  health,
  listenerTargetRow,
  settleHealth,
  startHealthListeners,
  sweepMeasurements,
  TARGET_CSV_HEADER,
} from "./health-suite.ts";
import type { RoundOutcome } from "./measure.ts";
import { queue } from "./queue-suite.ts";
import { runs } from "./runs-suite.ts";
import { ssh } from "./ssh-fanout-suite.ts";
import { steps } from "./steps-suite.ts";

/** A request measured many times at a concurrency: latency percentiles and throughput. */
export interface Scenario<Context> {
  name: string;
  request: (url: string, context: Context) => Promise<Response>;
}

/** A piece of work measured as a whole, a few rounds: its duration and items per second. */
export interface Measurement<Context> {
  name: string;
  /**
   * Runs the work once; returns how many items it handled and how many of them failed (and, optionally, the
   * duration of its measured part and further numbers: see {@link RoundOutcome}).
   */
  run: (context: Context) => Promise<RoundOutcome>;
  /**
   * Compares this measurement and the ones after it with this one instead of the suite's first measurement: they
   * measure another quantity (latency at a fixed arrival rate after a throughput comparison, say).
   */
  baseline?: boolean;
}

interface SuiteParts<Context> {
  teardown?: (context: Context) => Promise<void>;
  /** Rounds of each measurement when BENCH_ROUNDS is not set (default 5): fewer for suites with slow rounds. */
  rounds?: number;
  /** The first measurement is the baseline the other measurements are compared with (see `baseline`). */
  measurements?: Measurement<Context>[];
}

/** A suite measured against the real system, started for it (services behind Caddy, a fresh database). */
export interface Suite<Context> extends SuiteParts<Context> {
  /** What the deployment runs besides the services (e.g. `workers: true`). */
  deployment?: Pick<
    DeploymentOptions,
    "workers" | "workerEnv" | "executionWorkers" | "executionWorkerEnv" | "executionEnv"
  >;
  setup: (url: string, setupToken: string, deployment: Deployment) => Promise<Context>;
  /** The first scenario is the baseline the other scenarios are compared with. */
  scenarios?: Scenario<Context>[];
}

/** A suite of a library on its own (the queue core on Redis, say): no deployment, so no request scenarios. */
export interface StandaloneSuite<Context> extends SuiteParts<Context> {
  deployment: false;
  setup: () => Promise<Context>;
  scenarios?: never;
}

interface ApiContext {
  apiKey: string;
  token: string;
}

/** The API's request path: gateway, authentication through the auth service, a procedure, PostgreSQL. */
const api: Suite<ApiContext> = {
  async setup(url, setupToken) {
    const token = await createAdmin(url, setupToken);
    const ops = createOpsClient({ baseUrl: url, token });
    for (let index = 0; index < 200; index++) {
      await ops.users.accounts.create.mutate({
        email: `user${index}@example.com`,
        name: `User ${index}`,
        role: "viewer",
        password: PASSWORD,
      });
    }
    const { key } = await ops.users.me.apiKeys.create.mutate({ name: "bench", expiresInDays: 1 });
    return { apiKey: key, token };
  },
  scenarios: [
    {
      name: "baseline: GET /api/v1/auth/setup (public)",
      request: (url) => fetch(`${url}/api/v1/auth/setup`),
    },
    {
      name: "tRPC users.me.get (API key)",
      request: (url, { apiKey }) => fetch(`${url}/trpc/users/me.get`, { headers: { "x-api-key": apiKey } }),
    },
    {
      name: "tRPC users.me.get (bearer session)",
      request: (url, { token }) =>
        fetch(`${url}/trpc/users/me.get`, { headers: { authorization: `Bearer ${token}` } }),
    },
    {
      name: "REST users.accounts.list ?search (API key)",
      request: (url, { apiKey }) =>
        fetch(`${url}/api/v1/users/accounts?search=user1&limit=20`, { headers: { "x-api-key": apiKey } }),
    },
  ],
};

interface TargetsContext extends HealthContext {
  apiKey: string;
  secondPage: string;
}

const TARGETS = 10_000;

/**
 * The inventory at 10,000 targets: the tag-filtered list, the next page, the selector preview (request scenarios),
 * and the health sweep of all of them (measurements). The targets are HTTP targets on loopback listeners, so that the
 * sweep checks real endpoints; the first sweep after the import runs before the scenarios, which then run without a
 * sweep beside them.
 */
const targets: Suite<TargetsContext> = {
  deployment: HEALTH_DEPLOYMENT,
  async setup(url, setupToken, deployment) {
    const { token } = await api.setup(url, setupToken, deployment);
    const { listeners, ports } = await startHealthListeners();
    const ops = createOpsClient({ baseUrl: url, token });
    const regions = ["eu", "us", "ap"];
    const roles = ["web", "api", "db", "cache", "worker"];
    const rows = [TARGET_CSV_HEADER];
    for (let index = 0; index < TARGETS; index++) {
      const tags = `env=${index % 10 === 0 ? "staging" : "prod"};role=${roles[index % roles.length]};region=${regions[index % regions.length]}`;
      rows.push(listenerTargetRow(`host-${String(index).padStart(5, "0")}`, index, ports, tags));
    }
    const since = new Date();
    const imported = await ops.targets.import.mutate({
      format: "csv",
      content: rows.join("\n"),
      dryRun: false,
    });
    if (!imported.applied || imported.create.length !== TARGETS)
      throw new Error(`import failed: ${JSON.stringify(imported.errors.slice(0, 3))}`);
    const health = {
      sql: new Bun.SQL(deployment.database.url),
      listeners,
      ports,
      names: "host-%",
      count: TARGETS,
    };
    await settleHealth(health, since);
    const { key } = await ops.users.me.apiKeys.create.mutate({ name: "bench-targets", expiresInDays: 1 });
    const first = await createOpsClient({ baseUrl: url, apiKey: key }).targets.list.query({
      tag: ["role=web"],
      limit: 50,
    });
    return { ...health, apiKey: key, secondPage: first.nextCursor ?? "" };
  },
  async teardown({ sql, listeners }) {
    await sql.close();
    await listeners.stop();
  },
  measurements: sweepMeasurements(TARGETS),
  scenarios: [
    {
      name: "baseline: GET /api/v1/auth/setup (public)",
      request: (url) => fetch(`${url}/api/v1/auth/setup`),
    },
    {
      name: "REST targets list ?tag=role=web (50 of 2,000)",
      request: (url, { apiKey }) =>
        fetch(`${url}/api/v1/targets/items?tag=role%3Dweb&limit=50`, { headers: { "x-api-key": apiKey } }),
    },
    {
      name: "REST targets list, next page by cursor",
      request: (url, { apiKey, secondPage }) =>
        fetch(
          `${url}/api/v1/targets/items?tag=role%3Dweb&limit=50&cursor=${encodeURIComponent(secondPage)}`,
          { headers: { "x-api-key": apiKey } },
        ),
    },
    {
      name: "tRPC selector preview (env=prod role in (web,api) !region=ap)",
      request: (url, { apiKey }) =>
        fetch(
          `${url}/trpc/targets/preview?input=${encodeURIComponent(JSON.stringify({ selector: "env=prod role in (web,api) !region=ap", limit: 20 }))}`,
          {
            headers: { "x-api-key": apiKey },
          },
        ),
    },
  ],
};

// biome-ignore lint/suspicious/noExplicitAny: each suite has a context type of its own.
export const SUITES: Record<string, Suite<any> | StandaloneSuite<any>> = {
  api,
  targets,
  health,
  queue,
  e2e,
  ssh,
  runs,
  steps,
};
