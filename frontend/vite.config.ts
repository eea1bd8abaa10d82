import { fileURLToPath, URL } from 'node:url'

import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

// The console is served by the Python web service; the build lands inside the
// package (src/arbig/web/static, gitignored) so that wheels ship it.
const outDir = fileURLToPath(new URL('../src/arbig/web/static', import.meta.url))
// `npm run dev` proxies the API and WebSocket to a running `arbig run`.
const backend = process.env.ARBIG_DEV_BACKEND ?? 'http://127.0.0.1:8000'

export default defineConfig({
  base: '/',
  plugins: [vue()],
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: {
      '/api': backend,
      '/ws': { target: backend.replace(/^http/, 'ws'), ws: true },
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
})
