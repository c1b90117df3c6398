import { defineStore } from 'pinia'
import { ref } from 'vue'

/** Which workspace view is shown (views switch to each other: a disagreement opens adjudication). */
export const useWorkspaceStore = defineStore('workspace', () => {
  const activeViewId = ref('coding')
  const helpOpen = ref(false)

  function show(viewId: string): void {
    activeViewId.value = viewId
  }

  return { activeViewId, helpOpen, show }
})
