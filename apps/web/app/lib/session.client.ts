import type { TProfileResponse } from "@opsc/contracts/users/me";
import { rethrowLoaderError } from "./failure.client.ts";
import { getOps } from "./ops.client.ts";

/** The signed-in user for the app layout; no session means a redirect to sign-in. */
export async function loadProfile(): Promise<TProfileResponse> {
  try {
    return await getOps().users.me.get.query();
  } catch (error) {
    rethrowLoaderError(error);
  }
}
