/**
 * Ends the message at once: it goes to the dead-letter stream with this error, whatever attempts are left.
 * Throw it for failures a retry cannot fix (the target was deleted, the input is contradictory).
 */
export class NonRetryableError extends Error {
  override readonly name = "NonRetryableError";
}

/**
 * Fails this attempt and asks for the next one no sooner than `delayMs` from now (a rate limit's Retry-After, a
 * busy remote). The attempt counts: after `maxAttempts` the message is dead-lettered as usual.
 */
export class RetryAfterError extends Error {
  override readonly name = "RetryAfterError";

  constructor(
    readonly delayMs: number,
    message = `retry after ${delayMs} ms`,
    options?: ErrorOptions,
  ) {
    super(message, options);
    assertDelay(delayMs);
  }
}

/**
 * Not a failure: puts the message back to run again after `delayMs` with the *same* attempt number, for work that
 * must wait its turn (the target is locked by another task, a concurrency policy says not yet). Nothing limits how
 * often a message is delayed, so the handler must know the wait ends.
 */
export class DelayedError extends Error {
  override readonly name = "DelayedError";

  constructor(
    readonly delayMs: number,
    message = `delayed by ${delayMs} ms`,
  ) {
    super(message);
    assertDelay(delayMs);
  }
}

/** Raised by `heartbeat()` when another consumer has reclaimed the message; the handler should give up. */
export class MessageLostError extends Error {
  override readonly name = "MessageLostError";
}

function assertDelay(delayMs: number): void {
  if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`delayMs must be ≥ 0, got ${delayMs}`);
}

/** A producer refused a payload that does not match its job's schema; `issues` names each bad field. */
export class InvalidPayloadError extends Error {
  override readonly name = "InvalidPayloadError";

  constructor(
    readonly job: string,
    readonly issues: readonly { path: readonly PropertyKey[]; message: string }[],
    options?: ErrorOptions,
  ) {
    super(`${job}: invalid payload: ${describeIssues(issues)}`, options);
  }
}

/** `field.sub: message; other: message`, for logs and dead letters. */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .map((issue) =>
      issue.path.length > 0 ? `${issue.path.map(String).join(".")}: ${issue.message}` : issue.message,
    )
    .join("; ");
}
