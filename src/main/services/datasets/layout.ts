import { readdir } from 'node:fs/promises'
import { basename, extname, join, relative, sep } from 'node:path'
import type { DatasetFormat } from '@shared/domain/dataset'
import { isImageFile } from '../media/image-sequence'
import { isVideoFile } from '../media/media-service'

/** Label file names the datasets ship with. */
const LABEL_FILE_PATTERNS: readonly [DatasetFormat, RegExp][] = [
  ['casme2', /^CASME2[-_ ]?coding.*\.xlsx$/i],
  ['samm', /^SAMM.*\.xlsx$/i],
  ['casme2-long', /^CAS\(?ME\)?\^?2.*code.*\.xlsx$/i],
  ['casme3', /^cas\(?me\)?\^?3.*label.*\.xlsx$/i],
]

/** Subject folder names per layout. */
const SUBJECT_FOLDER: Readonly<Record<Exclude<DatasetFormat, 'generic'>, RegExp>> = {
  casme2: /^sub\d+$/i,
  samm: /^\d{3}$/,
  smic: /^s\d+$/i,
  'casme2-long': /^s\d+$/i,
  casme3: /^spNO\.?\s*\d+$/i,
}

/** How deep the walk goes below the root (CAS(ME)³: root/part_A/data/<subject>/<sample>/color). */
const MAX_DEPTH = 7

/** A clip found on disk, before it is opened. */
export interface FoundClip {
  path: string
  kind: 'video' | 'frames'
  /** Folder names from the root down to the clip (the clip's own name last). */
  segments: string[]
}

export interface LayoutGuess {
  format: DatasetFormat
  /** Label file found in the root or one level down, if any. */
  labelFile: string | null
  /** Why this format was chosen, for the import summary. */
  reason: string
  /** False when nothing about the folder was recognised (a generic folder by default). */
  recognised: boolean
}

/** Walks the dataset, collecting video files and folders that directly hold image frames. */
export async function findClips(root: string, signal?: AbortSignal): Promise<FoundClip[]> {
  const clips: FoundClip[] = []
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (signal?.aborted) return
    let entries
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch {
      return
    }
    const segments = relative(root, dir).split(sep).filter(Boolean)
    if (entries.some((e) => e.isFile() && isImageFile(e.name))) clips.push({ path: dir, kind: 'frames', segments })
    const sorted = [...entries].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))
    for (const entry of sorted) {
      if (entry.name.startsWith('.')) continue
      const full = join(dir, entry.name)
      if (entry.isFile() && isVideoFile(entry.name)) clips.push({ path: full, kind: 'video', segments: [...segments, entry.name] })
      else if (entry.isDirectory() && depth < MAX_DEPTH) await walk(full, depth + 1)
    }
  }
  await walk(root, 0)
  return clips
}

/** Recognises the layout from the label file's name, else from folder names. */
export async function guessLayout(root: string, clips: FoundClip[]): Promise<LayoutGuess> {
  const labelFile = await findLabelFile(root)
  if (labelFile) {
    const match = LABEL_FILE_PATTERNS.find(([, pattern]) => pattern.test(basename(labelFile)))
    if (match) return { format: match[0], labelFile, reason: `label file ${basename(labelFile)}`, recognised: true }
  }
  const all = clips.flatMap((c) => c.segments)
  const has = (pattern: RegExp) => all.some((s) => pattern.test(s))
  if (clips.some((c) => c.segments.some((s) => /^micro$/i.test(s)) && c.segments.some((s) => SUBJECT_FOLDER.smic.test(s)))) {
    return { format: 'smic', labelFile, reason: 'folders s<N>/micro/<class>/ (SMIC)', recognised: true }
  }
  if (has(SUBJECT_FOLDER.casme3) || clips.some((c) => c.segments.at(-1) === 'color')) return { format: 'casme3', labelFile, reason: 'folders spNO.<N>/<sample>/color (CAS(ME)³)', recognised: true }
  if (has(SUBJECT_FOLDER.casme2) && has(/^EP\d+_\d+/i)) return { format: 'casme2', labelFile, reason: 'folders sub<NN>/EP<NN>_<NN> (CASME II)', recognised: true }
  if (has(SUBJECT_FOLDER.samm) && has(/^\d{3}_\d+_\d+$/)) return { format: 'samm', labelFile, reason: 'folders <NNN>/<NNN>_<N>_<N> (SAMM)', recognised: true }
  if (has(/^rawpic$/i) || has(/^\d+_\d{4}[a-z]+/i)) return { format: 'casme2-long', labelFile, reason: 'folders rawpic/s<NN>/<NN>_<code><name> (CAS(ME)²)', recognised: true }
  // The generic layout (what `me-studio synth --format video` writes): one clip per sample in subject folders, and a label file.
  if (labelFile && clips.length > 0 && clips.every((c) => c.segments.length === 2)) {
    return { format: 'generic', labelFile, reason: `clips <subject>/<sample> with ${basename(labelFile)} (generic layout)`, recognised: true }
  }
  return { format: 'generic', labelFile, reason: 'no known dataset layout', recognised: false }
}

/** A label spreadsheet in the root or one folder down (xlsx by known name first, then any csv). */
export async function findLabelFile(root: string): Promise<string | null> {
  const candidates: string[] = []
  const look = async (dir: string, depth: number) => {
    let entries
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isFile() && /\.(xlsx|csv)$/i.test(entry.name) && !entry.name.startsWith('~$')) candidates.push(join(dir, entry.name))
      else if (entry.isDirectory() && depth === 0 && !entry.name.startsWith('.')) await look(join(dir, entry.name), 1)
    }
  }
  await look(root, 0)
  const known = candidates.find((c) => LABEL_FILE_PATTERNS.some(([, p]) => p.test(basename(c))))
  return known ?? candidates.find((c) => extname(c).toLowerCase() === '.xlsx') ?? candidates.find((c) => /label|code/i.test(basename(c))) ?? candidates[0] ?? null
}

export interface SampleIdentity {
  subject: string
  name: string
  folderLabel?: string
}

/**
 * Subject and sample name of a clip in a given layout, or null when the clip is not a sample
 * (SMIC's non-micro clips, CAS(ME)³ depth maps).
 */
export function identifyClip(clip: FoundClip, format: DatasetFormat, rootName: string): SampleIdentity | null {
  const segments = clip.kind === 'video' ? [...clip.segments.slice(0, -1), stripExtension(clip.segments.at(-1)!)] : clip.segments
  let nameIndex = segments.length - 1
  if (format === 'casme3') {
    if (segments[nameIndex] === 'depth') return null
    if (segments[nameIndex] === 'color') nameIndex--
  }
  if (format === 'smic' && !segments.some((s) => /^micro$/i.test(s))) return null
  const name = segments[nameIndex] ?? rootName
  const pattern = format === 'generic' ? null : SUBJECT_FOLDER[format]
  let subject: string | undefined
  if (pattern) {
    for (let i = nameIndex - 1; i >= 0 && subject === undefined; i--) if (pattern.test(segments[i]!)) subject = segments[i]
  }
  subject ??= nameIndex >= 1 ? segments[nameIndex - 1]! : rootName
  const identity: SampleIdentity = { subject, name }
  if (format === 'smic' && nameIndex >= 1) identity.folderLabel = segments[nameIndex - 1]!
  return identity
}

function stripExtension(name: string): string {
  return name.slice(0, name.length - extname(name).length)
}
