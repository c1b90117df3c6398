import { resolve } from 'node:path'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'

const alias = { '@shared': resolve(import.meta.dirname, 'src/shared') }

export default defineConfig({
  main: {
    resolve: { alias },
    build: {
      outDir: 'out/main',
      // zod is bundled: as a dependency it is ≈225 ES modules to resolve, read and link at every
      // start (≈60 ms of the CLI's and each worker's start-up), bundled one chunk of what is used.
      externalizeDeps: { exclude: ['zod'] },
      rollupOptions: {
        // One build, three hosts: the Electron main process, the browser bridge and the CLI.
        input: {
          index: resolve(import.meta.dirname, 'src/main/index.ts'),
          bridge: resolve(import.meta.dirname, 'src/main/bridge/serve.ts'),
          cli: resolve(import.meta.dirname, 'src/main/cli/index.ts'),
          'workers/vision': resolve(import.meta.dirname, 'src/main/workers/vision.worker.ts'),
          'workers/sheets': resolve(import.meta.dirname, 'src/main/workers/sheet.worker.ts'),
          'workers/inference': resolve(import.meta.dirname, 'src/main/workers/inference.worker.ts'),
        },
      },
    },
  },
  preload: {
    resolve: { alias },
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can only require('electron'): bundle everything else (zod).
      externalizeDeps: { exclude: ['zod'] },
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        // Sandboxed preloads must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    resolve: { alias },
    plugins: [vue()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: resolve(import.meta.dirname, 'src/renderer/index.html') },
    },
  },
})
