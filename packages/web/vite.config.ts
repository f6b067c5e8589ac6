import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// In dev (`npm run dev -w @parley/web`), the API and the socket are proxied to a server on 8080.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    port: 5173,
    proxy: {
      '/api': 'http://localhost:8080',
      '/ws': { target: 'ws://localhost:8080', ws: true },
    },
  },
});
