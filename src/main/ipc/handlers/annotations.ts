import type { HandlerRegistry } from '../registry'
import type { StudioContext } from '../context'
import type { CommandResult } from '../../services/annotations/coding'
import { exportCodes, importCodes } from '../../services/annotations/exchange'

export function registerAnnotationHandlers(registry: HandlerRegistry, studio: StudioContext): void {
  const { projects } = studio
  const coding = () => projects.require().coding
  /** Emits `event:annotation.changed` for a command that changed something, and passes its result on. */
  const announce = (scope: { sampleId: number; annotatorId: number; adjudicated?: boolean }, action: string, result: CommandResult) => {
    if (result.changed) {
      studio.bus.emit('event:annotation.changed', { sampleId: scope.sampleId, annotatorId: scope.annotatorId, adjudicated: scope.adjudicated ?? false, action })
      studio.bus.emit('event:samples.updated', coding().sampleUpdate(scope.sampleId, scope.annotatorId))
    }
    return result
  }
  const projectChanged = (reason: 'annotators-changed' | 'settings-changed' | 'codes-imported') => studio.projectDesk.announce(reason)

  registry
    .handle('query:annotators.list', () => coding().listAnnotators())
    .handle('command:annotator.create', ({ name, role, initials }) => {
      const annotator = coding().createAnnotator(name, role, initials)
      projectChanged('annotators-changed')
      return annotator
    })
    .handle('query:annotation.get', ({ sampleId, viewerId }) => coding().sampleCoding(sampleId, viewerId))
    .handle('command:annotation.update', ({ sampleId, annotatorId, patch, action }) => {
      const result = action ? coding().update(sampleId, annotatorId, patch, action) : coding().update(sampleId, annotatorId, patch)
      return announce({ sampleId, annotatorId }, result.history.undoAction ?? 'update', result)
    })
    .handle('command:annotation.clear', ({ sampleId, annotatorId }) => announce({ sampleId, annotatorId }, 'clear', coding().clear(sampleId, annotatorId)))
    .handle('command:annotation.undo', (scope) => announce(scope, 'undo', coding().undo(scope)))
    .handle('command:annotation.redo', (scope) => announce(scope, 'redo', coding().redo(scope)))
    .handle('query:annotation.history', (scope) => coding().historyState(scope))
    .handle('command:annotation.adjudicate', ({ sampleId, adjudicatorId, choice }) =>
      announce({ sampleId, annotatorId: adjudicatorId, adjudicated: true }, 'adjudicate', coding().adjudicate(sampleId, adjudicatorId, choice)),
    )
    .handle('command:annotation.blind-mode', ({ on }) => {
      coding().setBlindMode(on)
      projectChanged('settings-changed')
      return { blindMode: coding().blindMode }
    })
    .handle('query:samples.next-uncoded', ({ annotatorId, fromSampleId, direction, filter }) => coding().nextUncoded(annotatorId, fromSampleId, direction, filter))
    .handle('query:agreement.report', ({ datasetId, annotatorIds }) =>
      coding().agreementReport({ ...(datasetId ? { datasetId } : {}), ...(annotatorIds ? { annotatorIds } : {}) }),
    )
    .handle('command:codes.export', async ({ format, target, datasetId, annotatorIds, overwrite, download }) => {
      const path = await studio.downloads.target(target, download, format === 'eaf' ? 'codes-eaf' : `codes.${format}`)
      const result = await exportCodes(projects.require().project, format, path, { datasetId, annotatorIds }, { overwrite })
      return { ...result, downloads: studio.downloads.offerAll(result.files, download) }
    })
    .handle('command:codes.import', async ({ source, datasetId, coder }) => {
      const { project, coding: service } = projects.require()
      const result = await importCodes(project, service, source, { datasetId, coder })
      projectChanged('codes-imported')
      return result
    })
}
