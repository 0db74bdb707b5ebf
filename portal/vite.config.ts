// The portal is served by the control plane at /portal/ under a strict Content-Security-Policy
// (`script-src 'self'; style-src 'self'`): every script and stylesheet is a file under
// /portal/assets/, nothing inline, no eval.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/portal/",
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    cssCodeSplit: false,
    // No inlined `data:` modules or fonts: small assets stay files too.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    // `npm run dev` against a local `edgehook up`.
    proxy: { "/api": "http://127.0.0.1:8080" },
  },
});
