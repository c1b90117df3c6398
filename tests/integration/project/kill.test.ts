import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CodingService } from '../../../src/main/services/annotations/coding'
import { Project } from '../../../src/main/services/project/project'
import { projectWithSamples, scratchDir } from '../../unit/project/project-fixture'

let cleanup: () => void = () => {}
afterEach(() => cleanup())

/** Runs the writer child until it has acknowledged `minAcks` writes (plus a random extra delay), then SIGKILLs it. */
function runAndKill(projectPath: string, annotatorId: number, minAcks: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'kill-writer.ts'), projectPath, String(annotatorId)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // tsx resolves the `@shared/*` alias from this tsconfig (the root one only references projects).
      env: { ...process.env, TSX_TSCONFIG_PATH: join(__dirname, '../../../tsconfig.node.json') },
    })
    const acks: number[] = []
    let buffered = ''
    let stderr = ''
    let killing = false
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) if (line.startsWith('ack ')) acks.push(Number(line.slice(4)))
      if (!killing && acks.length >= minAcks) {
        killing = true
        setTimeout(() => child.kill('SIGKILL'), Math.random() * 20)
      }
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(acks)
      else reject(new Error(`writer exited on its own (${String(_code)}): ${stderr}`))
    })
  })
}

describe('kill test', () => {
  it('loses nothing acknowledged when the writing process is SIGKILLed', async () => {
    const scratch = scratchDir()
    cleanup = scratch.cleanup
    const { project } = await projectWithSamples(scratch.dir, 2, 3)
    const coder = new CodingService(project).createAnnotator('Kim', 'coder')
    project.close()

    let expectedHistory = 0
    for (let round = 0; round < 2; round++) {
      const acks = await runAndKill(project.path, coder.id, 150 + round * 150)
      expect(acks.length).toBeGreaterThan(0)

      const reopened = await Project.open(project.path, { keepBackups: 0 })
      expect(reopened.database.integrityCheck()).toBe('ok')
      const db = reopened.database.db
      // Every acknowledged write left its history row (the one written in the same transaction).
      const notes = new Set((db.prepare('SELECT after_json FROM annotation_history').all() as { after_json: string }[]).map((r) => JSON.parse(r.after_json).notes as string))
      for (const i of acks) expect(notes.has(`write ${i}`), `write ${i} of round ${round}`).toBe(true)
      // And each sample holds its last acknowledged write, or a later one that committed before the kill.
      const lastAck = acks[acks.length - 1]!
      const samples = reopened.listSampleRows()
      for (const [k, sample] of samples.entries()) {
        const mine = reopened.getAnnotation({ sampleId: sample.id, annotatorId: coder.id, adjudicated: false })!
        const written = Number(mine.notes.replace('write ', ''))
        const lastAckForSample = lastAck - ((lastAck - k) % samples.length + samples.length) % samples.length
        expect(written).toBeGreaterThanOrEqual(lastAckForSample)
      }
      expectedHistory += acks.length
      expect((db.prepare('SELECT count(*) AS n FROM annotation_history').get() as { n: number }).n).toBeGreaterThanOrEqual(expectedHistory)
      expectedHistory = (db.prepare('SELECT count(*) AS n FROM annotation_history').get() as { n: number }).n
      reopened.close()
    }
  })
})
