// The face pipeline on real photos (face-api's demo group photos, 22 people): detection rate,
// landmark stability under the synthetic generator's warps (detected landmarks of a warped render
// vs the photo's landmarks carried through the warp, px and fraction of the inter-ocular distance)
// and the onset alignment error in the 112-px crop; the figures of docs/faces.md.
// Run: npm run bench -- faces [-- --subjects-per-face K]   (default 3)
import { loadFaceDetector } from '../src/main/vision/face/detector'
import { detectDemoFaces, measureStability, median } from '../tests/unit/vision/real-faces'

const flag = process.argv.indexOf('--subjects-per-face')
const subjectsPerFace = flag < 0 ? 3 : Number(process.argv[flag + 1])
const detector = await loadFaceDetector()
let started = performance.now()
const { figures, identities } = await detectDemoFaces(detector)
const detectSeconds = (performance.now() - started) / 1000
console.log(`detection: ${figures.found}/${figures.faces} faces found (${((100 * figures.found) / figures.faces).toFixed(0)} %), ${figures.extra} extra detection(s) (${figures.extraDistinct} after dropping boxes straddling two faces), ${figures.usable} usable as identities, ${detectSeconds.toFixed(1)} s for 6 photos`)
for (const message of figures.skipped) console.log(`  skipped: ${message}`)
started = performance.now()
const stability = await measureStability(detector, identities, subjectsPerFace)
const rows = stability.perSubject
const pct = (v: number) => `${(100 * v).toFixed(1)} %`
console.log(`stability over ${rows.length} warped subjects (${identities.length} identities × ${subjectsPerFace}), ${((performance.now() - started) / rows.length).toFixed(0)} ms each; missed: ${stability.missed.length ? stability.missed.join(', ') : 'none'}`)
console.log(`  mean landmark error: median ${median(rows.map((r) => r.meanPx)).toFixed(2)} px (${pct(median(rows.map((r) => r.meanIod)))} of IOD), worst subject ${Math.max(...rows.map((r) => r.meanPx)).toFixed(2)} px (${pct(Math.max(...rows.map((r) => r.meanIod)))})`)
console.log(`  largest single-point error: median ${median(rows.map((r) => r.maxPx)).toFixed(2)} px, worst ${Math.max(...rows.map((r) => r.maxPx)).toFixed(2)} px`)
console.log(`  onset alignment error (112-px crop): median ${median(rows.map((r) => r.alignmentPx)).toFixed(2)} px, worst ${Math.max(...rows.map((r) => r.alignmentPx)).toFixed(2)} px`)
const worst = [...rows].sort((a, b) => b.meanIod - a.meanIod).slice(0, 3)
for (const r of worst) console.log(`  worst: ${r.id}: ${r.meanPx.toFixed(2)} px mean (${pct(r.meanIod)}), alignment ${r.alignmentPx.toFixed(2)} px`)
