import { isAbsolute, relative, sep } from 'node:path'

/**
 * Whether the absolute, normalised `path` is `root` or lies under it. Compared by path segments,
 * not by string prefix: `root/..dots.jpg` (a name that starts with two dots) is inside,
 * `root/../x` is not, nor is another drive (Windows gives an absolute `relative` then).
 */
export function isInsideFolder(root: string, path: string): boolean {
  const rel = relative(root, path)
  return rel === '' || (!isAbsolute(rel) && rel.split(sep)[0] !== '..')
}
