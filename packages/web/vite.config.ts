import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

// Lazily loaded code (shiki, its grammars and themes; the emoji data set, 600 kB; the tus upload
// client) goes under assets/lazy/: it is cached by the service worker when first used instead of
// being precached with the app shell, so a user who never opens the picker never downloads it.
const isLazy = (id: string | null | undefined) =>
  !!id && /[\\/](shiki|@shikijs|oniguruma-to-es|regex|regex-recursion|regex-utilities|emojibase-data|tus-js-client)[\\/]|[\\/]markdown[\\/]shiki\.ts$|[\\/]emoji[\\/]emojibase(-data)?\.ts$/.test(id);

// In dev (`npm run dev -w @parley/web`), the API and the socket are proxied to a server on 8080.
export default defineConfig({
  plugins: [
    react(),
    VitePWA({
      strategies: 'generateSW',
      registerType: 'autoUpdate',
      injectRegister: null,
      includeAssets: ['icons/icon.svg', 'icons/apple-touch-icon.png'],
      manifest: {
        name: 'Parley',
        short_name: 'Parley',
        description: 'Self-hosted, developer-first instant messaging',
        id: '/',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#16181f',
        theme_color: '#4f46e5',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: '/icons/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
      },
      workbox: {
        // Web Push (src/pwa/push-sw.ts, built beside sw.js as a classic script; see build.rollupOptions).
        importScripts: ['push-sw.js'],
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        globIgnores: ['assets/lazy/**'],
        navigateFallback: '/index.html',
        // The API, the socket and the operational endpoints are never answered by the app shell.
        navigateFallbackDenylist: [/^\/api\//, /^\/ws/, /^\/healthz/, /^\/readyz/, /^\/metrics/],
        cleanupOutdatedCaches: true,
        runtimeCaching: [
          {
            urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith('/assets/lazy/'),
            handler: 'CacheFirst',
            options: { cacheName: 'parley-lazy', expiration: { maxEntries: 200 } },
          },
        ],
      },
    }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // PARLEY_WEB_MINIFY=0 keeps function names, for reading a CPU profile of the page.
    minify: process.env.PARLEY_WEB_MINIFY !== '0',
    // The entry is ~500 kB minified / ~170 kB gzip (React, markdown-it, DOMPurify) and the largest
    // lazy chunk is shiki's C++ grammar (~800 kB, fetched only for a ```cpp block). The budget that
    // matters is 300 kB gzip of initial JS; heavy parts are lazy chunks under assets/lazy/.
    chunkSizeWarningLimit: 1000,
    rollupOptions: {
      // The app, and the service worker's push handlers under a fixed name for importScripts.
      input: { index: fileURLToPath(new URL('index.html', import.meta.url)), 'push-sw': fileURLToPath(new URL('src/pwa/push-sw.ts', import.meta.url)) },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'push-sw' ? 'push-sw.js' : 'assets/[name]-[hash].js'),
        chunkFileNames: (chunk) => (isLazy(chunk.facadeModuleId) || chunk.moduleIds.every((id) => isLazy(id)) ? 'assets/lazy/[name]-[hash].js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  server: {
    port: 5173,
    proxy: {
      '/api': 'http://localhost:8080',
      '/ws': { target: 'ws://localhost:8080', ws: true },
    },
  },
});
