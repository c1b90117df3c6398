import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cachedFfmpegVersion, locateFfmpeg, probeFfmpegVersion, requireFfmpeg } from '../../../src/main/services/ffmpeg-locator'

const probeVersion = async () => '6.1-test'

describe('ffmpeg locator', () => {
  it('prefers the explicit setting, then env, then ffmpeg-static, then @ffmpeg-installer, then PATH', async () => {
    const all = new Set(['/set/ffmpeg', '/env/ffmpeg', '/static/ffmpeg', '/installer/ffmpeg', '/usr/bin/ffmpeg'])
    const requirePackage = (name: string) => (name === 'ffmpeg-static' ? '/static/ffmpeg' : { path: '/installer/ffmpeg' })
    const base = { requirePackage, probeVersion, exists: (p: string) => all.has(p) }
    const env = { FFMPEG_PATH: '/env/ffmpeg', PATH: '/usr/bin' }
    expect(await locateFfmpeg({ ...base, setting: '/set/ffmpeg', env })).toMatchObject({ found: true, source: 'setting', path: '/set/ffmpeg' })
    expect(await locateFfmpeg({ ...base, env })).toMatchObject({ source: 'env' })
    expect(await locateFfmpeg({ ...base, env: { PATH: '/usr/bin' } })).toMatchObject({ source: 'ffmpeg-static' })
    all.delete('/static/ffmpeg')
    expect(await locateFfmpeg({ ...base, env: { PATH: '/usr/bin' } })).toMatchObject({ source: '@ffmpeg-installer/ffmpeg' })
    expect(await locateFfmpeg({ requirePackage: () => { throw new Error('absent') }, probeVersion, exists: (p) => all.has(p), env: { PATH: '/usr/bin' } })).toMatchObject({
      source: 'path',
      path: '/usr/bin/ffmpeg',
      version: '6.1-test',
    })
  })

  it('maps app.asar paths to app.asar.unpacked (packaged Electron)', async () => {
    const info = await locateFfmpeg({
      env: { PATH: '' },
      requirePackage: (name) => (name === 'ffmpeg-static' ? '/opt/app/resources/app.asar/node_modules/ffmpeg-static/ffmpeg' : undefined),
      exists: (p) => p === '/opt/app/resources/app.asar.unpacked/node_modules/ffmpeg-static/ffmpeg',
      probeVersion,
    })
    expect(info).toMatchObject({ found: true, path: '/opt/app/resources/app.asar.unpacked/node_modules/ffmpeg-static/ffmpeg' })
  })

  it('names every place it tried when nothing is found', async () => {
    const options = { env: { FFMPEG_PATH: '/nope', PATH: '/empty' }, requirePackage: () => { throw new Error('absent') }, exists: () => false, probeVersion }
    const info = await locateFfmpeg(options)
    expect(info.found).toBe(false)
    if (!info.found) {
      expect(info.tried).toHaveLength(5)
      expect(info.message).toMatch(/FFMPEG_PATH: \/nope does not exist/)
      expect(info.message).toMatch(/ffmpeg-static: not set or not installed/)
    }
    await expect(requireFfmpeg(options)).rejects.toMatchObject({ code: 'media/ffmpeg-missing' })
  })

  it('finds the real ffmpeg on this machine', async () => {
    const info = await locateFfmpeg()
    expect(info.found).toBe(true)
  })

  it('remembers the version of a binary until the binary changes, and survives a broken cache file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'me-ffmpeg-cache-'))
    try {
      // A stand-in ffmpeg that counts its runs.
      const bin = join(dir, 'ffmpeg')
      const runs = join(dir, 'runs')
      const script = (version: string) => `#!/bin/sh\necho x >> '${runs}'\necho 'ffmpeg version ${version} Copyright (c) the FFmpeg developers'\n`
      writeFileSync(bin, script('6.1.1-test'))
      chmodSync(bin, 0o755)
      const cache = join(dir, 'cache', 'ffmpeg-versions.json')
      const count = () => readFileSync(runs, 'utf8').split('\n').filter(Boolean).length
      expect(await cachedFfmpegVersion(bin, cache)).toBe('6.1.1-test')
      expect(await cachedFfmpegVersion(bin, cache)).toBe('6.1.1-test')
      expect(count()).toBe(1)
      // Replaced (another size and change time): probed again.
      writeFileSync(bin, script('7.0-new'))
      expect(await cachedFfmpegVersion(bin, cache)).toBe('7.0-new')
      expect(count()).toBe(2)
      // A malformed cache, or a planted value that is no version, is not believed.
      writeFileSync(cache, '{not json')
      expect(await cachedFfmpegVersion(bin, cache)).toBe('7.0-new')
      const [key] = Object.keys(JSON.parse(readFileSync(cache, 'utf8')))
      writeFileSync(cache, JSON.stringify({ [key!]: '$(rm -rf ~)\u001b[2J' }))
      expect(await cachedFfmpegVersion(bin, cache)).toBe('7.0-new')
      expect(count()).toBe(4)
      expect(await probeFfmpegVersion(bin)).toBe('7.0-new')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
