import type { AuditActor } from "@opsc/audit";
import type { TStartPlanRunResponse } from "@opsc/contracts/execution/plan";
import { AppError } from "@opsc/server-kit";
import type { ExecutionServiceDeps } from "../deps.ts";

export async function startPlanRun(
  _deps: ExecutionServiceDeps,
  _actor: AuditActor,
  _input: unknown,
): Promise<TStartPlanRunResponse> {
  throw new AppError("SERVICE_UNAVAILABLE", { message: "multi-step runs are being built" });
}
