import { describe, expect, it } from 'vitest'
import { warmUpRecipe } from '../../../src/main/vision/recipe/warm-up'

// The vision worker runs this while it waits for its first task and ignores a failure (a real task
// would report it), so a warm-up that broke would only go unnoticed there: it must run here.
describe('vision warm-up', () => {
  it('runs the recipe stages and TV-L1 on its small synthetic pair', () => {
    expect(() => warmUpRecipe()).not.toThrow()
  })
})
