import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { runCliCaptured } from '../../helpers/cli'
import { readFlo } from '../../../src/main/vision/flo'

let dir: string

const run = (...argv: string[]) => runCliCaptured(argv, dir)

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'me-flow-cli-'))
  // A real face crop, and the same crop one pixel to the right: the flow is (+1, 0) inside.
  const face = sharp('resources/faces/astronaut.png').grayscale()
  await face.clone().extract({ left: 150, top: 60, width: 96, height: 96 }).png().toFile(join(dir, 'a.png'))
  await face.clone().extract({ left: 149, top: 60, width: 96, height: 96 }).png().toFile(join(dir, 'b.png'))
  writeFileSync(join(dir, 'not-an-image.png'), 'hello')
})

describe('me-studio flow', () => {
  it('writes a .flo whose flow is the known 1 px shift and prints mean/max', async () => {
    const { code, stdout } = await run('flow', 'a.png', 'b.png', '--out', 'ab.flo')
    expect(code).toBe(0)
    expect(stdout).toMatch(/^mean \d+\.\d{4} max \d+\.\d{4} \(px\/frame, 96x96, tvl1, \d+ ms\)\n$/)
    const flow = readFlo(readFileSync(join(dir, 'ab.flo')))
    expect([flow.width, flow.height]).toEqual([96, 96])
    let sumU = 0
    let sumV = 0
    let n = 0
    for (let y = 16; y < 80; y++) {
      for (let x = 16; x < 80; x++) {
        sumU += flow.u[y * 96 + x]!
        sumV += flow.v[y * 96 + x]!
        n++
      }
    }
    expect(sumU / n).toBeCloseTo(1, 1)
    expect(Math.abs(sumV / n)).toBeLessThan(0.05)
  })

  it('supports --method farneback, --size and --json', async () => {
    const { code, stdout } = await run('flow', 'a.png', 'b.png', '--method', 'farneback', '--size', '48x48', '--json')
    expect(code).toBe(0)
    const result = JSON.parse(stdout)
    expect(result).toMatchObject({ width: 48, height: 48, method: 'farneback' })
    expect(result.mean).toBeGreaterThan(0.2)
  })

  it('gives specific errors for bad usage and bad input', async () => {
    expect((await run('flow', 'a.png')).code).toBe(2)
    expect((await run('flow', 'a.png', 'b.png', '--method', 'magic')).code).toBe(2)
    expect((await run('flow', 'a.png', 'b.png', '--size', 'big')).code).toBe(2)
    const missing = await run('flow', 'a.png', 'missing.png')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/\[(not-found|media\/unsupported)\]/)
    const corrupt = await run('flow', 'a.png', 'not-an-image.png')
    expect(corrupt.code).toBe(1)
    expect(corrupt.stderr).toContain('[media/unsupported]')
  })

  it('never replaces a file unless --force, and writes only .flo', async () => {
    writeFileSync(join(dir, 'keep.flo'), 'precious')
    const refused = await run('flow', 'a.png', 'b.png', '--method', 'farneback', '--out', 'keep.flo')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('[export/target-exists]')
    expect(refused.stderr).toContain('--force')
    expect(readFileSync(join(dir, 'keep.flo'), 'utf8')).toBe('precious')
    writeFileSync(join(dir, '.bashrc'), 'alias ls=ls')
    const wrongName = await run('flow', 'a.png', 'b.png', '--method', 'farneback', '--out', '.bashrc', '--force')
    expect(wrongName.code).toBe(1)
    expect(wrongName.stderr).toMatch(/writes only \.flo files.*\[invalid-input\]/)
    expect(readFileSync(join(dir, '.bashrc'), 'utf8')).toBe('alias ls=ls')
    const forced = await run('flow', 'a.png', 'b.png', '--method', 'farneback', '--out', 'keep.flo', '--force')
    expect(forced.code).toBe(0)
    expect(readFlo(readFileSync(join(dir, 'keep.flo'))).width).toBe(96)
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})
