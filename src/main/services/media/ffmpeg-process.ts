import { spawn as nodeSpawn, type ChildProcessWithoutNullStreams } from 'node:child_process'

/** `child_process.spawn` with piped stdio; injectable so tests can fake ffmpeg. */
export type SpawnFunction = (command: string, args: readonly string[]) => ChildProcessWithoutNullStreams

export const defaultSpawn: SpawnFunction = (command, args) => nodeSpawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] })

/** Keeps the last `limit` characters of a stream: enough for an error message, never unbounded. */
export class StderrTail {
  private text = ''

  constructor(private readonly limit = 4096) {}

  push(chunk: Buffer | string): void {
    this.text += chunk.toString()
    if (this.text.length > this.limit * 2) this.text = this.text.slice(-this.limit)
  }

  toString(): string {
    return this.text.slice(-this.limit)
  }
}

export interface FfmpegRun {
  ffmpeg: string
  args: string[]
  spawn?: SpawnFunction
  /** Written to ffmpeg's stdin, which is then closed. */
  input?: AsyncIterable<Uint8Array> | Iterable<Uint8Array>
  /** Receives stdout chunks as they arrive; when absent stdout is discarded. */
  onStdout?: (chunk: Buffer) => void
  /** Receives every stderr line (for progress or `showinfo` parsing). */
  onStderrLine?: (line: string) => void
  signal?: AbortSignal
}

export interface FfmpegResult {
  exitCode: number | null
  /** Last few KB of stderr, for error messages. */
  stderrTail: string
}

/** Runs ffmpeg once; resolves when it exits (whatever the exit code), rejects only if it cannot start. */
export function runFfmpeg(run: FfmpegRun): Promise<FfmpegResult> {
  const spawn = run.spawn ?? defaultSpawn
  return new Promise((resolve, reject) => {
    let child: ChildProcessWithoutNullStreams
    try {
      child = spawn(run.ffmpeg, ['-hide_banner', ...(run.input ? [] : ['-nostdin']), ...run.args])
    } catch (error) {
      reject(error as Error)
      return
    }
    const tail = new StderrTail()
    let pendingLine = ''
    child.stderr.on('data', (chunk: Buffer) => {
      tail.push(chunk)
      if (!run.onStderrLine) return
      const text = pendingLine + chunk.toString()
      const lines = text.split(/\r?\n|\r/)
      pendingLine = lines.pop() ?? ''
      for (const line of lines) run.onStderrLine(line)
    })
    child.stdout.on('data', (chunk: Buffer) => run.onStdout?.(chunk))
    const abort = () => child.kill('SIGKILL')
    run.signal?.addEventListener('abort', abort, { once: true })
    child.on('error', (error) => {
      run.signal?.removeEventListener('abort', abort)
      reject(error)
    })
    child.on('close', (code) => {
      run.signal?.removeEventListener('abort', abort)
      if (pendingLine && run.onStderrLine) run.onStderrLine(pendingLine)
      resolve({ exitCode: code, stderrTail: tail.toString() })
    })
    // ffmpeg may exit before reading all input (bad arguments): ignore the resulting EPIPE.
    child.stdin.on('error', () => undefined)
    if (run.input) {
      void (async () => {
        for await (const chunk of run.input!) {
          if (child.stdin.destroyed) return
          if (!child.stdin.write(chunk)) {
            await new Promise<void>((r) => {
              const done = () => {
                child.stdin.off('drain', done)
                child.stdin.off('close', done)
                r()
              }
              child.stdin.on('drain', done)
              child.stdin.on('close', done)
            })
          }
        }
        child.stdin.end()
      })().catch(() => child.stdin.destroy())
    } else {
      child.stdin.end()
    }
  })
}
