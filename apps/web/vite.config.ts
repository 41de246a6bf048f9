/**
 * The PWA's build: solid-js, workspace packages from their TypeScript sources (the
 * `caucus-source` condition, so the app never waits on a stale client build), and a generated
 * service worker that precaches the app shell and answers every app path with index.html offline.
 * The worker registers with `prompt`: a new version waits until the user applies it (src/sw.ts).
 */
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';
import { VitePWA } from 'vite-plugin-pwa';
import { reportInitialJs } from './scripts/initial-js';

export default defineConfig({
  resolve: { conditions: ['caucus-source', 'module', 'browser', 'development|production'] },
  build: {
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    rollupOptions: {
      // tus-js-client (and what it pulls in) is reached through the client's barrel but unused
      // until the app uploads; it declares no `sideEffects`, so say it has none and let it shake.
      treeshake: {
        moduleSideEffects: (id) =>
          !/node_modules\/(tus-js-client|url-parse|js-base64|querystringify|requires-port)\//.test(id),
      },
    },
  },
  plugins: [
    solid(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: null,
      includeAssets: ['icon.svg'],
      manifest: {
        name: 'Caucus',
        short_name: 'Caucus',
        description: 'Threads, decisions and an inbox for teams that decide together — offline too.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#1f4e79',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        navigateFallback: '/index.html',
        // The server's own paths are never the app.
        navigateFallbackDenylist: [/^\/api\//, /^\/sync/, /^\/files\//, /^\/healthz/, /^\/metrics/],
        cleanupOutdatedCaches: true,
      },
    }),
    reportInitialJs(),
  ],
});
