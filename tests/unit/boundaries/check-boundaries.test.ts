// scripts/check-boundaries.mjs on small trees: it passes the real one, and finds an upward import
// (type-only included) and an import circle in a fixture tree.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const script = resolve(import.meta.dirname, '../../../scripts/check-boundaries.mjs')
const check = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' })

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'me-boundaries-'))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return root
}

describe('check-boundaries', () => {
  it('passes on the repository', () => {
    const run = check()
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
  })

  it('refuses an import up the Node layers, type-only too, and an import circle', () => {
    const root = tree({
      'src/shared/a.ts': 'export const a = 1\n',
      'src/main/vision/pixels.ts': "import type { Job } from '../services/jobs'\nexport type P = Job\n",
      'src/main/services/jobs.ts': "import { a } from '@shared/a'\nexport interface Job { a: typeof a }\n",
      'src/main/ipc/context.ts': "import type { Studio } from '../studio'\nexport type Context = Studio\n",
      'src/main/studio.ts': "import type { Context } from './ipc/context'\nexport interface Studio { context?: Context }\n",
      'src/main/services/left.ts': "import { right } from './right'\nexport const left = () => right()\n",
      'src/main/services/right.ts': "import { left } from './left'\nexport const right = (): number => (left ? 1 : 0)\n",
    })
    const run = check('--root', root)
    expect(run.status).toBe(1)
    expect(run.stderr).toContain("src/main/vision/pixels.ts: imports 'src/main/services/jobs.ts' — vision must not reach up into services")
    expect(run.stderr).toContain("src/main/ipc/context.ts: imports 'src/main/studio.ts' — ipc must not reach up into studio")
    expect(run.stderr).toContain('import circle of 2 files: src/main/ipc/context.ts <-> src/main/studio.ts')
    expect(run.stderr).toContain('import circle of 2 files: src/main/services/left.ts <-> src/main/services/right.ts')
    expect(run.stderr).not.toContain('src/main/services/jobs.ts: imports')
  })
})
