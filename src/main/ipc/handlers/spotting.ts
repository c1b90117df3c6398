import type { HandlerRegistry } from '../registry'
import type { StudioContext } from '../context'

/** Long-video candidate review: spotting a clip is a job; candidates and their review live in the project. */
export function registerSpottingHandlers(registry: HandlerRegistry, studio: StudioContext): void {
  const { longVideo } = studio
  registry
    .handle('command:spotting.start', (input) => longVideo.start(input))
    .handle('query:spotting.candidates', (input) => longVideo.candidates(input))
    .handle('command:spotting.review', (input) => longVideo.review(input))
    .handle('query:spotting.evaluation', (input) => longVideo.evaluation(input))
}
