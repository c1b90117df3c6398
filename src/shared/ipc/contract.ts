import type { z } from 'zod'
import type { EventName, RequestChannel, RequestName } from './define'
import { jobEvents, jobRequests } from './channels/jobs'
import { batchEvents, batchRequests } from './channels/batch'
import { inferenceRequests } from './channels/inference'
import { motionRequests } from './channels/motion'
import { datasetRequests } from './channels/datasets'
import { mediaRequests } from './channels/media'
import { systemEvents, systemRequests } from './channels/system'
import { projectEvents, projectRequests } from './channels/project'
import { annotationEvents, annotationRequests } from './channels/annotations'
import { demoRequests } from './channels/demo'
import { TypedJobDoneSchema } from './channels/job-results'
import { spottingEvents, spottingRequests } from './channels/spotting'
import { filesRequests } from './channels/files'

/**
 * The whole contract: every request and event channel with its schemas.
 * Each domain keeps its channels in `channels/<domain>.ts`; this module only merges them,
 * so the preload allow-list, both binders and the transports derive from one map.
 */
export const requests = {
  ...systemRequests,
  ...jobRequests,
  ...batchRequests,
  ...projectRequests,
  ...annotationRequests,
  ...demoRequests,
  ...inferenceRequests,
  ...motionRequests,
  ...datasetRequests,
  ...mediaRequests,
  ...spottingRequests,
  ...filesRequests,
} as const satisfies Record<RequestName, RequestChannel>

export const events = {
  ...systemEvents,
  ...jobEvents,
  ...batchEvents,
  ...projectEvents,
  ...annotationEvents,
  ...spottingEvents,
  'event:job.done': TypedJobDoneSchema,
} as const satisfies Record<EventName, z.ZodType>

export type Requests = typeof requests
export type Events = typeof events
export type RequestChannelName = keyof Requests & string
export type EventChannelName = keyof Events & string

export type InputOf<C extends RequestChannelName> = z.input<Requests[C]['input']>
export type OutputOf<C extends RequestChannelName> = z.output<Requests[C]['output']>
export type EventPayload<E extends EventChannelName> = z.output<Events[E]>

export const REQUEST_CHANNELS = Object.keys(requests) as RequestChannelName[]
export const EVENT_CHANNELS = Object.keys(events) as EventChannelName[]

export function isRequestChannel(name: string): name is RequestChannelName {
  return Object.hasOwn(requests, name)
}

export function isEventChannel(name: string): name is EventChannelName {
  return Object.hasOwn(events, name)
}
