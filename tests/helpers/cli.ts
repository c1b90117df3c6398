import { runCli } from '../../src/main/cli/run'

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** Runs `me-studio ARGV` in-process from `cwd` (no terminal) and returns its exit code and both streams. */
export async function runCliCaptured(argv: string[], cwd: string): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false, env: process.env, cwd })
  return { code, stdout, stderr }
}
