import type { IdentityRouter } from "@opsc/auth/internal";
import type { InternalCallContext } from "@opsc/server-kit";
import type { TRPCClient } from "@trpc/client";

/** The auth service's internal router, which authenticates every request this service receives. */
export type IdentityClient = (context: InternalCallContext) => TRPCClient<IdentityRouter>;
