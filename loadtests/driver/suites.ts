import { createOpsClient } from "@opsc/sdk";
import type { Deployment, DeploymentOptions } from "@opsc/testing";
import { createAdmin, PASSWORD } from "./admin.ts";
import { health } from "./health-suite.ts";

/** A request measured many times at a concurrency: latency percentiles and throughput. */
export interface Scenario<Context> {
  name: string;
  request: (url: string, context: Context) => Promise<Response>;
}

/** A piece of work measured as a whole, a few rounds: its duration and items per second. */
export interface Measurement<Context> {
  name: string;
  /** Runs the work once; returns how many items it handled and how many of them failed. */
  run: (context: Context) => Promise<{ items: number; errors: number }>;
}

export interface Suite<Context> {
  /** What the deployment runs besides the services (e.g. `workers: true`). */
  deployment?: Pick<DeploymentOptions, "workers" | "workerEnv">;
  setup: (url: string, setupToken: string, deployment: Deployment) => Promise<Context>;
  teardown?: (context: Context) => Promise<void>;
  /** The first scenario is the baseline the other scenarios are compared with. */
  scenarios?: Scenario<Context>[];
  /** The first measurement is the baseline the other measurements are compared with. */
  measurements?: Measurement<Context>[];
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

interface TargetsContext {
  apiKey: string;
  secondPage: string;
}

/** Inventory queries at 10,000 targets: the tag-filtered list, the selector preview, the next page. */
const targets: Suite<TargetsContext> = {
  async setup(url, setupToken, deployment) {
    const { token } = await api.setup(url, setupToken, deployment);
    const ops = createOpsClient({ baseUrl: url, token });
    const regions = ["eu", "us", "ap"];
    const roles = ["web", "api", "db", "cache", "worker"];
    const rows = ["name,address,port,kind,tags,description,enabled"];
    for (let index = 0; index < 10_000; index++) {
      const tags = `env=${index % 10 === 0 ? "staging" : "prod"};role=${roles[index % roles.length]};region=${regions[index % regions.length]}`;
      rows.push(
        `host-${String(index).padStart(5, "0")},10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255},22,ssh,${tags},,true`,
      );
    }
    const imported = await ops.targets.import.mutate({
      format: "csv",
      content: rows.join("\n"),
      dryRun: false,
    });
    if (!imported.applied || imported.create.length !== 10_000)
      throw new Error(`import failed: ${JSON.stringify(imported.errors.slice(0, 3))}`);
    const { key } = await ops.users.me.apiKeys.create.mutate({ name: "bench-targets", expiresInDays: 1 });
    const first = await createOpsClient({ baseUrl: url, apiKey: key }).targets.list.query({
      tag: ["role=web"],
      limit: 50,
    });
    return { apiKey: key, secondPage: first.nextCursor ?? "" };
  },
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

export const SUITES: Record<string, Suite<any>> = { api, targets, health };
