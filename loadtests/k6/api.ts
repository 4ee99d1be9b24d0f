// k6 run -e OPSC_URL=https://ops.example.com -e OPSC_API_KEY=opsc_... loadtests/k6/api.ts
// The same scenarios as `bun run bench api` (loadtests/driver/suites.ts), for machines where k6 is installed.
import { check } from "k6";
import http from "k6/http";
import type { Options } from "k6/options";

const url = __ENV.OPSC_URL ?? "http://127.0.0.1:8080";
const apiKey = __ENV.OPSC_API_KEY ?? "";

export const options: Options = {
  scenarios: {
    baseline: { executor: "constant-vus", vus: 16, duration: "30s", exec: "baseline" },
    me: { executor: "constant-vus", vus: 16, duration: "30s", exec: "me", startTime: "30s" },
    list: { executor: "constant-vus", vus: 16, duration: "30s", exec: "list", startTime: "60s" },
  },
  thresholds: { http_req_failed: ["rate<0.001"] },
};

export function baseline(): void {
  const response = http.get(`${url}/api/v1/auth/setup`);
  check(response, { "status 200": (r) => r.status === 200 });
}

export function me(): void {
  const response = http.get(`${url}/trpc/users/me.get`, { headers: { "x-api-key": apiKey } });
  check(response, { "status 200": (r) => r.status === 200 });
}

export function list(): void {
  const response = http.get(`${url}/api/v1/users/accounts?search=user1&limit=20`, {
    headers: { "x-api-key": apiKey },
  });
  check(response, { "status 200": (r) => r.status === 200 });
}
