import type { Config } from "@react-router/dev/config";

// SSR renders the document shell; page data is loaded in the browser (clientLoader) straight from the API,
// which lives on the same origin behind the gateway, so the session cookie never passes through this server.
export default {
  ssr: true,
} satisfies Config;
