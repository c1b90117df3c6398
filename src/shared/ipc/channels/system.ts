import { z } from 'zod'
import { request } from '../define'

export const FfmpegInfoSchema = z.discriminatedUnion('found', [
  z.object({
    found: z.literal(true),
    path: z.string(),
    /** Which locator step found it: explicit setting, env var, ffmpeg-static, @ffmpeg-installer, PATH. */
    source: z.enum(['setting', 'env', 'ffmpeg-static', '@ffmpeg-installer/ffmpeg', 'path']),
    version: z.string(),
  }),
  z.object({ found: z.literal(false), tried: z.array(z.string()), message: z.string() }),
])
export type FfmpegInfo = z.infer<typeof FfmpegInfoSchema>

export const ExecutionProviderInfoSchema = z.object({
  name: z.string(),
  /** Shipped inside onnxruntime-node's binary for this platform. */
  bundled: z.boolean(),
  /** Selected by default when the studio creates a session (platform order). */
  preferred: z.boolean(),
})

export const SystemInfoSchema = z.object({
  appVersion: z.string(),
  host: z.enum(['electron', 'bridge', 'cli']),
  platform: z.string(),
  arch: z.string(),
  versions: z.record(z.string(), z.string()),
  ffmpeg: FfmpegInfoSchema,
  onnxruntime: z.object({
    version: z.string(),
    providers: z.array(ExecutionProviderInfoSchema),
    /** Providers a prediction has really run on in this process (the status bar lists only these). */
    ran: z.array(z.string()),
  }),
  cpuCount: z.number().int().positive(),
})
export type SystemInfo = z.infer<typeof SystemInfoSchema>

export const systemRequests = {
  'query:system.info': request(z.object({}), SystemInfoSchema),
  'query:system.ping': request(z.object({ echo: z.string().max(1000).optional() }), z.object({ pong: z.string() })),
} as const

export const systemEvents = {
  'event:system.notice': z.object({ level: z.enum(['info', 'warning', 'error']), message: z.string() }),
} as const
