import { errorCode, fieldErrors } from "@opsc/sdk";

/** Awaits a call that must fail and returns what the SDK exposes about the failure. */
export async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return { code: errorCode(error), fields: fieldErrors(error), message: (error as Error).message };
  }
  throw new Error("expected the call to fail");
}
