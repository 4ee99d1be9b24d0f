export {
  type AnyJobDefinition,
  catalogStreams,
  defineCatalog,
  defineJob,
  type EnqueueableJobName,
  type JobCatalog,
  type JobDefinition,
  type JobHandler,
  type JobHandlers,
  type JobInput,
  type JobPayload,
  type RetryBackoff,
} from "./catalog.ts";
export { StreamConsumer } from "./consumer.ts";
export {
  DEFAULT_DEAD_LETTER_MAX_LENGTH,
  type StopOptions,
  type StreamConsumerOptions,
} from "./consumer-options.ts";
export { type ListDeadLettersOptions, listDeadLetters } from "./dead-letter.ts";
export {
  DelayedError,
  InvalidPayloadError,
  MessageLostError,
  NonRetryableError,
  RetryAfterError,
} from "./errors.ts";
export {
  claimAbandonedEntries,
  ensureGroupFromStart,
  type StreamEntry,
  stopBlockingReader,
} from "./group-reader.ts";
export type { HandlerContext } from "./handler-context.ts";
export {
  consumerGroupName,
  defaultConsumerName,
  EXECUTION_WORKER_GROUP,
  executionKeys,
  leaderKey,
  REPORTS_GROUP,
  type StreamKeys,
  streamKeys,
} from "./keys.ts";
export { LeaderLease, type LeaderLeaseOptions, type LeadershipLossReason } from "./leader.ts";
export { LeaderWork, type LeaderWorkOptions, repeatEvery } from "./leader-work.ts";
export type { DeadLetter, DeadLetterReason, TaskMessage } from "./message.ts";
export type { DeliveryOutcome } from "./metrics.ts";
export {
  createProducer,
  DEFAULT_IDEMPOTENCY_TTL_MS,
  DEFAULT_STREAM_MAX_LENGTH,
  type EnqueueOptions,
  type EnqueueResult,
  type Producer,
  type ProducerOptions,
} from "./producer.ts";
export {
  type QueueDepth,
  type QueueDepthTarget,
  queueDepth,
  queueDepthGauge,
  trackQueueDepth,
} from "./queue-depth.ts";
