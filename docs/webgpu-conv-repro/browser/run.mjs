// The reproducers in Chromium's own WebGPU (a second Dawn build, on SwiftShader in headless
// Chromium) through onnxruntime-web's WebGPU backend, each against onnxruntime-web's wasm (CPU)
// backend with the same seeded input. onnxruntime-web is not a studio dependency: install it in a
// scratch folder first.
//
//   (mkdir /tmp/ortweb && cd /tmp/ortweb && npm install onnxruntime-web@1.23.2)
//   node docs/webgpu-conv-repro/browser/run.mjs MODELS_DIR /tmp/ortweb/node_modules/onnxruntime-web/dist
//
// MODELS_DIR holds make_models.py's conv_*.onnx (input [1, C_in, size, size]) and/or models with a
// [1, 3, 112, 112] input (Off-TANet). Uses Debian's /usr/bin/chromium through playwright-core.
import { readdir, readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const [modelsDir, ortDist] = process.argv.slice(2)
if (!modelsDir || !ortDist) throw new Error('usage: node run.mjs MODELS_DIR ONNXRUNTIME_WEB_DIST')
const here = dirname(fileURLToPath(import.meta.url))
const types = { '.html': 'text/html', '.mjs': 'text/javascript', '.wasm': 'application/wasm' }

const server = createServer(async (req, res) => {
  const url = decodeURIComponent(req.url.split('?')[0])
  try {
    let body
    if (url === '/') body = await readFile(join(here, 'index.html'))
    else if (url === '/models/') body = JSON.stringify((await readdir(modelsDir)).filter((f) => f.endsWith('.onnx')).sort())
    else if (url.startsWith('/models/')) body = await readFile(join(modelsDir, url.slice(8).replace(/[/\\]/g, '')))
    else if (url.startsWith('/ort/')) body = await readFile(join(ortDist, url.slice(5).replace(/[/\\]/g, '')))
    else throw new Error('not found')
    // Cross-origin isolation lets onnxruntime-web use its threaded wasm build.
    const type = url === '/' ? types['.html'] : url === '/models/' ? 'application/json' : types[url.slice(url.lastIndexOf('.'))]
    res.writeHead(200, { 'content-type': type ?? 'application/octet-stream', 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' })
    res.end(body)
  } catch {
    res.writeHead(404)
    res.end()
  }
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))

const { chromium } = createRequire(join(process.cwd(), 'package.json'))('playwright-core')
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--headless=new', '--enable-unsafe-webgpu', '--enable-features=Vulkan'] })
try {
  const page = await browser.newPage()
  await page.goto(`http://127.0.0.1:${server.address().port}/`)
  // Software WebGPU compiles every shader on the CPU: Off-TANet alone takes minutes.
  await page.waitForFunction(() => window.result, null, { timeout: 600_000 })
  console.log(await page.evaluate(() => window.result))
} finally {
  await browser.close()
  server.close()
}
