import { z } from 'zod'
import { request } from '../define'

export const ListedEntrySchema = z.object({
  name: z.string(),
  /** Absolute path as listed (inside the folder, links not replaced by their targets). */
  path: z.string(),
  kind: z.enum(['folder', 'file']),
  size: z.number().int().nonnegative().nullable(),
})
export type ListedEntry = z.infer<typeof ListedEntrySchema>

export const FolderListingSchema = z.object({
  /** The folder listed (its real path); null for the list of roots. */
  path: z.string().nullable(),
  /** The folder above, while it is still inside a root; null at a root (the picker goes back to the roots). */
  parent: z.string().nullable(),
  /** Where the picker may go: the user's home and the open project's folders. */
  roots: z.array(z.object({ path: z.string(), label: z.string() })),
  entries: z.array(ListedEntrySchema),
  /** More entries than one listing returns (filter by typing, or open a subfolder). */
  truncated: z.boolean(),
})
export type FolderListing = z.infer<typeof FolderListingSchema>

export const filesRequests = {
  /**
   * The file picker of the browser UI: one folder of the server's filesystem, inside the allowed
   * roots only (`forbidden-path` otherwise, symlinks resolved); without `path`, the roots.
   */
  'query:files.list': request(
    z.object({
      path: z.string().min(1).max(4096).optional(),
      hidden: z.boolean().default(false),
      /** e.g. `['.csv', '.xlsx']`: other files are left out (folders never are). */
      extensions: z.array(z.string().regex(/^\.[A-Za-z0-9]{1,10}$/)).max(20).default([]),
    }),
    FolderListingSchema,
  ),
} as const
