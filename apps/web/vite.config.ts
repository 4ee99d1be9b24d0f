import { reactRouter } from "@react-router/dev/vite";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig, type ProxyOptions } from "vite";

// `bun run dev` serves the UI with hot reload; the API stays behind the gateway of a running system
// (`bun run start`, default http://127.0.0.1:8080). better-auth only accepts requests whose Origin is the
// gateway's, so the proxy presents that Origin instead of the dev server's.
const gateway = process.env.OPSC_API_URL ?? "http://127.0.0.1:8080";
const toGateway: ProxyOptions = {
  target: gateway,
  changeOrigin: true,
  configure: (proxy) => {
    proxy.on("proxyReq", (request) => {
      if (request.getHeader("origin")) request.setHeader("origin", gateway);
    });
  },
};

export default defineConfig({
  plugins: [tailwindcss(), reactRouter()],
  server: {
    proxy: { "/trpc": toGateway, "/api": toGateway },
  },
});
