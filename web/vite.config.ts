import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// Everything is bundled (no CDN). `npm run dev` proxies /api and /dev to a DevHost on 7071.
export default defineConfig({
  plugins: [preact()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
  server: {
    proxy: { '/api': 'http://127.0.0.1:7071', '/dev': 'http://127.0.0.1:7071' },
  },
});
