import { ZSuccessResponse } from "@opsc/contracts";
import {
  ZCreateWebhookRequestSchema,
  ZCreateWebhookResponseSchema,
  ZListDeliveriesRequestSchema,
  ZListDeliveriesResponseSchema,
  ZListWebhooksRequestSchema,
  ZListWebhooksResponseSchema,
  ZRotateWebhookSecretResponseSchema,
  ZUpdateWebhookRequestSchema,
  ZWebhook,
  ZWebhookIdRequestSchema,
} from "@opsc/contracts/jobs/webhooks";
import { auditActorOf, operatorProcedure, router, viewerProcedure } from "@opsc/server-kit";
import * as webhooks from "./webhooks.service.ts";

const tags = ["webhooks"];

/** Webhook triggers of jobs: operators write them (the URL and secret are shown once), viewers read them. */
export function createWebhooksRouter(deps: webhooks.WebhooksDeps) {
  return router({
    list: viewerProcedure
      .meta({ openapi: { method: "GET", path: "/jobs/webhooks", tags, summary: "A job's webhooks" } })
      .input(ZListWebhooksRequestSchema)
      .output(ZListWebhooksResponseSchema)
      .query(({ input }) => webhooks.listWebhooks(deps, input.jobId)),
    create: operatorProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/jobs/webhooks",
          tags,
          summary: "Create a webhook (its URL and HMAC secret are returned once)",
        },
      })
      .input(ZCreateWebhookRequestSchema)
      .output(ZCreateWebhookResponseSchema)
      .mutation(({ ctx, input }) => webhooks.createWebhook(deps, auditActorOf(ctx), input)),
    rotateSecret: operatorProcedure
      .meta({
        openapi: {
          method: "POST",
          path: "/jobs/webhooks/{id}/rotate-secret",
          tags,
          summary: "Replace a webhook's HMAC secret (returned once)",
        },
      })
      .input(ZWebhookIdRequestSchema)
      .output(ZRotateWebhookSecretResponseSchema)
      .mutation(({ ctx, input }) => webhooks.rotateSecret(deps, auditActorOf(ctx), input.id)),
    update: operatorProcedure
      .meta({ openapi: { method: "POST", path: "/jobs/webhooks/{id}", tags, summary: "Change a webhook" } })
      .input(ZUpdateWebhookRequestSchema)
      .output(ZWebhook)
      .mutation(({ ctx, input }) => webhooks.updateWebhook(deps, auditActorOf(ctx), input)),
    delete: operatorProcedure
      .meta({
        openapi: { method: "POST", path: "/jobs/webhooks/{id}/delete", tags, summary: "Delete a webhook" },
      })
      .input(ZWebhookIdRequestSchema)
      .output(ZSuccessResponse)
      .mutation(({ ctx, input }) => webhooks.deleteWebhook(deps, auditActorOf(ctx), input.id)),
    deliveries: viewerProcedure
      .meta({
        openapi: {
          method: "GET",
          path: "/jobs/webhooks/{id}/deliveries",
          tags,
          summary: "A webhook's latest calls, with their status and reason",
        },
      })
      .input(ZListDeliveriesRequestSchema)
      .output(ZListDeliveriesResponseSchema)
      .query(({ input }) => webhooks.listDeliveries(deps, input)),
  });
}
