import { z } from 'zod'

/**
 * The `overwrite` flag of every export request. Exports never replace an existing file (or write
 * into a non-empty folder) unless the request says so: without it they fail with
 * `export/target-exists`, and the UI asks "Replace?" before retrying with it.
 */
export const OverwriteSchema = z.boolean().default(false)

/**
 * The `download` flag of every export request (the browser UI): the files written are offered
 * once each at `url` on the bridge. Without a target path the export is written to a scratch
 * folder for the download only; with one it is also saved there.
 */
export const DownloadFlagSchema = z.boolean().default(false)

export const DownloadSchema = z.object({ url: z.string(), name: z.string() })
export type Download = z.infer<typeof DownloadSchema>

/** Each written file's download, when the request asked for them (empty otherwise). */
export const DownloadsSchema = z.array(DownloadSchema).default([])
