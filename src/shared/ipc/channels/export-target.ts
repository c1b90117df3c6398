import { z } from 'zod'

/**
 * The `overwrite` flag of every export request. Exports never replace an existing file (or write
 * into a non-empty folder) unless the request says so: without it they fail with
 * `export/target-exists`, and the UI asks "Replace?" before retrying with it.
 */
export const OverwriteSchema = z.boolean().default(false)
