import type { ProviderStanding } from '../../services/inference'
import { collectSystemInfo } from '../../services/system-info'
import { EXIT, type CliIo, type CommandRun } from '../command'

export const run: CommandRun = async ({ values }, io) => {
  const info = await collectSystemInfo('cli')
  const standings = values.providers ? await providerTable(io) : null
  if (values.json) {
    io.stdout(JSON.stringify(standings ? { ...info, providerStandings: Object.fromEntries(standings) } : info, null, 2) + '\n')
    return EXIT.ok
  }
  const lines = [
    `ME Studio ${info.appVersion}`,
    `node        ${info.versions.node ?? '?'} (${info.platform}-${info.arch}, ${info.cpuCount} cores)`,
    info.ffmpeg.found
      ? `ffmpeg      ${info.ffmpeg.version} at ${info.ffmpeg.path} (found via ${info.ffmpeg.source})`
      : `ffmpeg      NOT FOUND — ${info.ffmpeg.message}`,
    `onnxruntime ${info.onnxruntime.version}`,
    `providers   ${info.onnxruntime.providers.map((p) => `${p.name}${p.bundled ? '' : ' (not bundled)'}`).join(', ')}`,
  ]
  if (standings) lines.push('', ...formatProviderTable(standings))
  io.stdout(lines.join('\n') + '\n')
  return EXIT.ok
}

/** Every usable model's standing on every provider of this platform, checking what has no verdict yet. */
async function providerTable(io: CliIo): Promise<[string, ProviderStanding[]][]> {
  // Loaded only with --providers: onnxruntime sessions and the model registry are the heavy part of the CLI.
  const { withStudio } = await import('./cli-studio')
  return withStudio(io, async (studio) => {
    const rows: [string, ProviderStanding[]][] = []
    for (const model of await studio.inference.registry.list()) {
      if (!model.card || model.problem) continue
      io.stderr(`checking ${model.id} on every provider…\n`)
      rows.push([model.id, await studio.inference.providerStandings(model.id, { check: true })])
    }
    return rows
  })
}

const CELL: Record<ProviderStanding['status'], string> = { reference: 'reference', pass: 'pass', pinned: 'PINNED to cpu', unavailable: 'unavailable', unchecked: 'unchecked' }

/** A fixed-width table (model × provider), then one note per pass/pinned cell and one per unavailable provider. */
export function formatProviderTable(rows: [string, ProviderStanding[]][]): string[] {
  const providers = [...new Set(rows.flatMap(([, s]) => s.map((p) => p.provider)))]
  const notes: string[] = []
  const unavailable = new Map<string, string>()
  const cells = rows.map(([id, standings]) => [
    id,
    ...providers.map((provider) => {
      const s = standings.find((p) => p.provider === provider)
      if (!s) return '-'
      if (s.status === 'unavailable') unavailable.set(provider, s.detail)
      if (s.status !== 'pass' && s.status !== 'pinned') return CELL[s.status]
      notes.push(`[${notes.length + 1}] ${id} on ${provider}: ${s.detail}`)
      return `${CELL[s.status]}${s.automatic ? ', auto' : ''} [${notes.length}]`
    }),
  ])
  const table = [['model', ...providers], ...cells]
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)))
  return [
    'Providers per model (parity with CPU on a seeded probe, every declared output within 1e-3 of its scale; "auto": used by the automatic order):',
    ...table.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()),
    ...notes,
    ...[...unavailable].map(([provider, reason]) => `${provider} unavailable: ${reason}`),
  ]
}
