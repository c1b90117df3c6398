import type { z } from 'zod'
import { UsageError } from '../command'

/**
 * Validates a command's request with the contract's zod schema — the limits and defaults the app
 * gets — and reports the first problem under the CLI's flag name (`flags`: request field → flag).
 */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown, flags: Record<string, string>): z.output<S> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  const path = issue.path.map(String)
  const flag = flags[path.join('.')] ?? flags[path[0] ?? ''] ?? path.join('.')
  throw new UsageError(`${flag}: ${issue.message}`)
}
