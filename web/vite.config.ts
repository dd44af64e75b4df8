/**
 * The admin console's build: web/ → dist/console, served by scimd at /console
 * (src/http/console.ts). `npm run dev:web` serves it with hot reload on :5173 and
 * forwards the API to a scimd on :8080 (SCIMD_URL to change).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const scimd = process.env.SCIMD_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: { '/api': scimd, '/scim': scimd },
  },
});
