export * from "./common.ts";
export * from "./events.ts";
