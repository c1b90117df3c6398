import { defineConfig } from '@playwright/test'

const PORT = Number(process.env.ME_STUDIO_E2E_PORT ?? 47_321)
export const E2E_TOKEN = 'e2e-token-not-secret'

// Debian's chromium: the studio never downloads a browser (`npx playwright install` is not used).
export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  timeout: 120_000,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  webServer: {
    // The production renderer build served by the browser bridge (`npm run serve` without the rebuild).
    command: 'node out/main/bridge.js',
    url: `http://127.0.0.1:${PORT}/?token=${E2E_TOKEN}`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      ME_STUDIO_PORT: String(PORT),
      ME_STUDIO_TOKEN: E2E_TOKEN,
      ME_STUDIO_DATA_DIR: 'tests/.generated/e2e-data',
      // The file picker may show the generated fixtures (besides the home folder and the open project).
      ME_STUDIO_BROWSE_ROOTS: 'tests/.generated',
    },
  },
})
