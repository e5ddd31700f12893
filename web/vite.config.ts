import { defineConfig } from "vitest/config";

// The built client goes straight into the Maven module's classes, so the jar carries
// web/index.html and web/assets/..., which the server serves at / and /assets/...
// Two pages: the game (index.html) and the admin dashboard (admin.html).
export default defineConfig({
  base: "/",
  build: {
    outDir: "target/classes/web",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      input: { main: "index.html", admin: "admin.html" },
    },
  },
  server: {
    // `npm run dev` against a server running on 8080
    proxy: {
      "/ws": { target: "ws://localhost:8080", ws: true },
      "/maps": "http://localhost:8080",
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
  },
});
