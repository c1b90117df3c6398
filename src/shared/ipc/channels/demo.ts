import { z } from 'zod'
import { JobStartedSchema } from './jobs'
import { request } from '../define'

/**
 * The first-minute paths of the empty screen. Both are jobs (progress via `event:job.*`) that end
 * with a project open in the studio, so the UI only has to refresh `query:project.current`.
 *
 * - `command:project.create-demo`: generates a small synthetic CASME II-shaped dataset in the user
 *   data folder, imports it into the demo project and opens it (reopened, not regenerated, next
 *   time unless `fresh`).
 * - `command:project.open-dataset`: opens a dataset folder when no project is open: the dataset's
 *   own project in the user data folder is created and the folder imported the first time (with
 *   `labels`, that label sheet instead of the one found in the folder), and simply reopened
 *   afterwards (a `labels` file is then refused: the project keeps the labels it was imported with).
 */
export const FirstMinuteResultSchema = z.object({
  projectPath: z.string(),
  /** False when an existing project was reopened. */
  created: z.boolean(),
})
export type FirstMinuteResult = z.infer<typeof FirstMinuteResultSchema>

export const demoRequests = {
  'command:project.create-demo': request(z.object({ fresh: z.boolean().default(false) }), JobStartedSchema),
  'command:project.open-dataset': request(z.object({ root: z.string().min(1), labels: z.string().min(1).optional() }), JobStartedSchema),
} as const
