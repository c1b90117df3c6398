// Child process for the kill test: codes annotations in a loop and prints `ack <i>` after each
// command has committed. The parent SIGKILLs it at a random moment.
import { CodingService } from '../../../src/main/services/annotations/coding'
import { Project } from '../../../src/main/services/project/project'

const [projectPath, annotatorIdText] = process.argv.slice(2)
const project = await Project.open(projectPath!, { keepBackups: 0 })
const coding = new CodingService(project)
const annotatorId = Number(annotatorIdText)
const sampleIds = project.listSampleRows().map((s) => s.id)
process.stdout.write('ready\n')
for (let i = 0; ; i++) {
  const sampleId = sampleIds[i % sampleIds.length]!
  coding.update(sampleId, annotatorId, { onset: 10 + (i % 20), notes: `write ${i}` })
  process.stdout.write(`ack ${i}\n`)
  // Yield now and then so the kill can land between and inside commits alike.
  if (i % 50 === 0) await new Promise((r) => setImmediate(r))
}
