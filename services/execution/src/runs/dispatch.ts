import type { TTaskMessage } from "@opsc/contracts/execution/messages";
import { createProducer, type JobCatalog, type Producer } from "@opsc/streams";
import type Redis from "ioredis";
import { taskCatalog, taskJob } from "../jobs.ts";

/** Puts tasks on their worker group's stream, pipelined. */
export class Dispatcher {
  readonly #producers = new Map<string, Producer<JobCatalog>>();
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async dispatch(group: string, tasks: TTaskMessage[]): Promise<void> {
    if (tasks.length === 0) return;
    let producer = this.#producers.get(group);
    if (!producer) {
      producer = createProducer({ redis: this.#redis, prefix: this.#prefix, catalog: taskCatalog([group]) });
      this.#producers.set(group, producer);
    }
    const name = taskJob(group).name as never;
    for (let start = 0; start < tasks.length; start += 5_000) {
      await producer.enqueueMany(name, tasks.slice(start, start + 5_000) as never[]);
    }
  }
}
