import type { TProfileResponse } from "@opsc/contracts/users/me";
import { useRouteLoaderData } from "react-router";

/** The signed-in user's profile, loaded once by the `_app` layout; for pages rendered inside it. */
export function useProfile(): TProfileResponse {
  const data = useRouteLoaderData("routes/_app") as { profile: TProfileResponse } | undefined;
  if (!data) throw new Error("useProfile must be used inside the app layout");
  return data.profile;
}
