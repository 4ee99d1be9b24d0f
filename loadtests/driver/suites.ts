import { createOpsClient } from "@opsc/sdk";

export interface Scenario<Context> {
  name: string;
  request: (url: string, context: Context) => Promise<Response>;
}

export interface Suite<Context> {
  setup: (url: string, setupToken: string) => Promise<Context>;
  /** The first scenario is the baseline the others are compared with. */
  scenarios: Scenario<Context>[];
}

const PASSWORD = "benchmark admin password";

interface ApiContext {
  apiKey: string;
  token: string;
}

/** The API's request path: gateway, authentication through the auth service, a procedure, PostgreSQL. */
const api: Suite<ApiContext> = {
  async setup(url, setupToken) {
    const setup = await fetch(`${url}/api/v1/auth/setup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        token: setupToken,
        email: "bench@example.com",
        name: "Bench",
        password: PASSWORD,
      }),
    });
    if (!setup.ok) throw new Error(`setup failed: ${setup.status}`);
    const signIn = await fetch(`${url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: url },
      body: JSON.stringify({ email: "bench@example.com", password: PASSWORD }),
    });
    const token = signIn.headers.get("set-auth-token");
    if (!token) throw new Error(`sign-in failed: ${signIn.status}`);
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

export const SUITES: Record<string, Suite<any>> = { api };
