import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { rendererFile } from '../../../src/main/renderer-files'

const dir = '/opt/me-studio/out/renderer'

describe('renderer build files (app:// and the bridge)', () => {
  it('maps / to index.html and keeps content types', () => {
    expect(rendererFile(dir, '/')).toEqual({ path: join(dir, 'index.html'), contentType: 'text/html; charset=utf-8' })
    expect(rendererFile(dir, '/assets/index-x.js')?.contentType).toBe('text/javascript; charset=utf-8')
    expect(rendererFile(dir, '/assets/font.bin')?.contentType).toBe('application/octet-stream')
  })

  it('never resolves outside the build folder, encoded or not; refuses undecodable and NUL paths', () => {
    for (const path of ['/../secret', '/..%2f..%2fetc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/a/../../../../etc/passwd']) {
      const file = rendererFile(dir, path)
      expect(file === null || file.path.startsWith(dir + '/'), path).toBe(true)
    }
    expect(rendererFile(dir, '/assets/%E0%A4%A')).toBeNull()
    expect(rendererFile(dir, '/index.html%00.js')).toBeNull()
    // Normalised inside: allowed.
    expect(rendererFile(dir, '/assets/../index.html')?.path).toBe(join(dir, 'index.html'))
  })
})
