import type { TCredential } from "@opsc/contracts/targets/credentials";
import { useEffect } from "react";
import { useFetcher } from "react-router";
import type { CredentialsLoaderData } from "../../lib/credentials.client.ts";

/**
 * The credentials (metadata only) for pickers and names on the target pages, loaded from the /credentials
 * route by a fetcher once `enabled` (operators and admins: viewers may not list them, so they are not asked).
 * Null while loading, or when the API refused.
 */
export function useCredentials(enabled: boolean): TCredential[] | null {
  const fetcher = useFetcher<CredentialsLoaderData>({ key: "credential-options" });
  const { load, state, data } = fetcher;
  useEffect(() => {
    if (enabled && state === "idle" && data === undefined) void load("/credentials");
  }, [enabled, state, data, load]);
  return data?.kind === "ok" ? data.credentials : null;
}
