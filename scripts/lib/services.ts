/**
 * The backend services, in start order, with their default ports. This is the one list that
 * `bun run start` and `bun run db:migrate` use; add a service here (and a route in caddy/routes.caddy).
 */
export const SERVICES = [
  { name: "auth", port: 8101 },
  { name: "users", port: 8102 },
  { name: "targets", port: 8103 },
  { name: "discovery", port: 8104 },
  { name: "execution", port: 8105 },
  { name: "jobs", port: 8106 },
  { name: "audit", port: 8107 },
] as const;

/**
 * The workers, started after the services they call, each with a port for its /healthz, /readyz and /metrics
 * (override with `OPSC_<NAME>_PORT`). They get Redis, the internal token and the vault keys, never the database.
 */
export const WORKERS = [
  { name: "system", entry: "workers/system/src/main.ts", port: 8111 },
  { name: "execution-worker", entry: "workers/execution/src/main.ts", port: 8112 },
  { name: "scheduler", entry: "workers/scheduler/src/main.ts", port: 8113 },
] as const;

/** Default internal URL of the discovery service, which the system worker's discovery module calls. */
export const DISCOVERY_PORT = 8104;

/** Name of one of the backend services. */
export type ServiceName = (typeof SERVICES)[number]["name"];

/** Default port of the web server (apps/web/server.ts). */
export const WEB_PORT = 8100;

/** Default port of the gateway (Caddy with caddy/Caddyfile.local); override with OPSC_PORT. */
export const GATEWAY_PORT = 8080;

/** Database that holds every service's schema in the all-in-one mode. */
export const DATABASE_NAME = "opsconductor";

/** Env var that overrides a service's port, e.g. `OPSC_AUTH_PORT`. */
export function portEnvName(name: string): string {
  return `OPSC_${name.toUpperCase()}_PORT`;
}
