/// <reference types="vite/client" />

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}

/** Exposed by the preload script in Electron; absent in the browser bridge. */
interface StudioPreloadApi {
  invoke(channel: string, payload: unknown): Promise<unknown>
  on(channel: string, listener: (payload: unknown) => void): void
  off(channel: string, listener: (payload: unknown) => void): void
}

interface Window {
  studio?: StudioPreloadApi
}
