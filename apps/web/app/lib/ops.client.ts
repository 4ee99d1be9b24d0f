import { createOpsClient, type OpsClient } from "@opsc/sdk";

// A `.client` module: React Router replaces it with an empty module in the server build, so the SDK (and
// better-auth's client) never end up in the SSR bundle. Only clientLoader/clientAction code may import it.

let client: OpsClient | undefined;

/** The SDK bound to the page's origin; the gateway routes /trpc and /api/auth and the session cookie rides along. */
export function getOps(): OpsClient {
  client ??= createOpsClient();
  return client;
}

export { errorCode, fieldErrors } from "@opsc/sdk";
