import { resolve } from 'node:path'
import { StudioError } from '@shared/ipc/errors'
import { CodingService } from '../annotations/coding'
import type { MediaRoots } from '../media/media-router'
import type { OpenProjectOptions } from './database'
import { Project } from './project'

export interface OpenProject {
  project: Project
  coding: CodingService
}

/**
 * The project the studio has open (one at a time). Opening one closes the previous, and adds
 * its dataset folders to the media roots so the media route may serve their frames; closing it
 * takes them away again.
 */
export class ProjectService {
  private open_: OpenProject | null = null

  constructor(private readonly mediaRoots: MediaRoots) {}

  get current(): OpenProject | null {
    return this.open_
  }

  /** The open project, or a `not-found` error the UI turns into "open a project first". */
  require(): OpenProject {
    if (!this.open_) throw new StudioError('not-found', 'No project is open: create or open a project first')
    return this.open_
  }

  /** Opens a project (closing the current one); opening the file that is already open returns it. */
  async open(path: string, options: OpenProjectOptions = {}): Promise<OpenProject> {
    if (this.open_ && !options.create && this.open_.project.path === resolve(path)) return this.open_
    const project = await Project.open(path, options)
    this.close()
    this.open_ = { project, coding: new CodingService(project) }
    await this.addDatasetRoots()
    return this.open_
  }

  async create(path: string, name?: string): Promise<OpenProject> {
    const opened = await this.open(path, { create: true })
    if (name) opened.project.transaction(() => opened.project.setMeta('name', name))
    return opened
  }

  /** Makes every dataset folder of the open project servable; folders that moved are skipped (their samples report missing media). */
  async addDatasetRoots(): Promise<string[]> {
    const missing: string[] = []
    for (const dataset of this.open_?.project.listDatasets() ?? []) {
      try {
        await this.mediaRoots.add(dataset.root)
      } catch {
        missing.push(dataset.root)
      }
    }
    return missing
  }

  /** Closes the open project; its dataset folders (and any opened for it) are no longer served. */
  close(): boolean {
    if (!this.open_) return false
    this.open_.project.close()
    this.open_ = null
    this.mediaRoots.clear()
    return true
  }
}
