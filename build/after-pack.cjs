// electron-builder afterPack hook: drop onnxruntime-node binaries of other platforms/architectures
// (they are ~100 MB each and would otherwise ship in every installer).
const { readdirSync, rmSync, existsSync } = require('node:fs')
const { join } = require('node:path')

const ARCH_NAMES = { 0: 'ia32', 1: 'x64', 2: 'armv7l', 3: 'arm64', 4: 'universal' }

exports.default = async function afterPack(context) {
  const platform = context.electronPlatformName // 'linux' | 'win32' | 'darwin'
  const arch = ARCH_NAMES[context.arch] ?? 'x64'
  const resources = platform === 'darwin'
    ? join(context.appOutDir, `${context.packager.appInfo.productFilename}.app`, 'Contents', 'Resources')
    : join(context.appOutDir, 'resources')
  const binRoot = join(resources, 'app.asar.unpacked', 'node_modules', 'onnxruntime-node', 'bin')
  if (!existsSync(binRoot)) return
  for (const napi of readdirSync(binRoot)) {
    const platforms = join(binRoot, napi)
    for (const p of readdirSync(platforms)) {
      if (p !== platform) {
        rmSync(join(platforms, p), { recursive: true, force: true })
        continue
      }
      for (const a of readdirSync(join(platforms, p))) {
        if (arch !== 'universal' && a !== arch) rmSync(join(platforms, p, a), { recursive: true, force: true })
      }
    }
  }
}
