import { runCli } from './run'

// Entry point of the `me-studio` binary (bin/me-studio.mjs loads the built copy).
const code = await runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTty: Boolean(process.stderr.isTTY),
  env: process.env,
  cwd: process.cwd(),
})
process.exitCode = code
