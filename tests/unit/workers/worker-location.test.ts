import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { visionWorkerLocation, workerLocation } from '../../../src/main/workers/vision-worker-location'

describe('vision worker location', () => {
  it('runs the TypeScript entry through tsx when running from sources', () => {
    const location = visionWorkerLocation()
    expect(location.workerPath).toMatch(/src[\\/]main[\\/]workers[\\/]vision\.worker\.ts$/)
    expect(location.execArgv).toEqual(['--import', 'tsx'])
  })

  it('finds the built entry from the main bundle and from a chunk', () => {
    const out = mkdtempSync(join(tmpdir(), 'me-out-'))
    mkdirSync(join(out, 'main', 'workers'), { recursive: true })
    mkdirSync(join(out, 'main', 'chunks'))
    writeFileSync(join(out, 'main', 'workers', 'vision.js'), '')
    const expected = join(out, 'main', 'workers', 'vision.js')
    expect(visionWorkerLocation(pathToFileURL(join(out, 'main', 'cli.js')).href)).toEqual({ workerPath: expected })
    expect(visionWorkerLocation(pathToFileURL(join(out, 'main', 'chunks', 'studio-x.js')).href)).toEqual({ workerPath: expected })
  })

  it('locates the other worker entries the same way', () => {
    const sheets = { source: 'sheet.worker.ts', built: 'sheets.js', title: 'sheet' }
    expect(workerLocation(sheets).workerPath).toMatch(/src[\\/]main[\\/]workers[\\/]sheet\.worker\.ts$/)
    const out = mkdtempSync(join(tmpdir(), 'me-out-'))
    mkdirSync(join(out, 'main', 'workers'), { recursive: true })
    writeFileSync(join(out, 'main', 'workers', 'sheets.js'), '')
    expect(workerLocation(sheets, pathToFileURL(join(out, 'main', 'bridge.js')).href)).toEqual({ workerPath: join(out, 'main', 'workers', 'sheets.js') })
    expect(() => workerLocation(sheets, pathToFileURL(join(tmpdir(), 'cli.js')).href)).toThrow(/sheet worker is missing/)
  })

  it('says how to fix a missing build', () => {
    const empty = mkdtempSync(join(tmpdir(), 'me-out-'))
    expect(() => visionWorkerLocation(pathToFileURL(join(empty, 'cli.js')).href)).toThrow(/npm run build/)
  })
})
