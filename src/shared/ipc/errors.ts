/**
 * The closed set of error codes every handler may return. The UI maps codes to
 * messages and recovery actions; Electron keeps only `message` of thrown errors,
 * so codes must travel inside the result envelope instead.
 */
export const ERROR_CODES = [
  'invalid-input',
  'not-found',
  'unauthorized',
  'forbidden-path',
  'cancelled',
  'conflict',
  'media/corrupt',
  'media/unsupported',
  'media/missing-frames',
  'media/ffmpeg-missing',
  'dataset/unrecognised',
  'labels/malformed',
  'export/target-exists',
  'sheet/unreadable',
  'sheet/too-large',
  'sheet/too-many-rows',
  'sheet/too-many-columns',
  'sheet/cell-too-long',
  'project/locked',
  'project/corrupt',
  'model/invalid-card',
  'model/mismatch',
  'model/run-failed',
  'provider/unavailable',
  'internal',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export interface StudioErrorShape {
  code: ErrorCode
  message: string
  details?: unknown
}

/** An error that carries a contract error code across every boundary (IPC, HTTP, CLI). */
export class StudioError extends Error {
  readonly code: ErrorCode
  readonly details?: unknown

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message)
    this.name = 'StudioError'
    this.code = code
    if (details !== undefined) this.details = details
  }

  toShape(): StudioErrorShape {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details }
  }
}

export function isStudioError(value: unknown): value is StudioError {
  return value instanceof StudioError
}
