#!/usr/bin/env node
/**
 * Generates the WebAssembly SIMD kernels of TV-L1 (src/main/vision/tvl1-wasm.ts):
 *   src/main/vision/wasm/tvl1-kernels.wat  — the text source (generated here, committed)
 *   src/main/vision/wasm/tvl1-kernels.ts   — the binary, base64-embedded so the vision code
 *                                            stays pure (no fs, no bundler asset handling)
 *
 *   node scripts/build-tvl1-wasm.mjs [--out DIR]   (needs `wat2wasm` from wabt: apt-get install wabt;
 *                                            --out writes elsewhere, for scripts/check-generated.mjs)
 *
 * Kernels (f32x4, 4 pixels per step, planes in a padded layout shared with tvl1-wasm.ts: row stride S,
 * pixel (x, y) at float index (y + 1)·S + 4 + x; zero row above, zero columns left):
 *   pd_step    one fused primal–dual iteration (thresholding, divergence, primal and dual updates)
 *   warp       bicubic warping of I1, ∂xI1, ∂yI1 by the flow fused with the linearisation (ρc)
 *   warp_ocv   the same as OpenCV computes it (cv::remap's 1/32-px cubic, zero border; scalar f64)
 *   median3/5  3×3 / 5×5 median of a plane whose replicated-border copy sits in `src`
 *              (pixel (x, y) at (y + 2)·S + 4 + x), by a pruned Batcher selection network
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outFlag = process.argv.indexOf('--out')
const outDir = outFlag > 0 ? process.argv[outFlag + 1] : join(root, 'src/main/vision/wasm')

/** Batcher's merge-exchange network for n inputs (Knuth, TAOCP 3, §5.2.2 Algorithm M). */
function mergeExchange(n) {
  const ces = []
  let t = 0
  while (1 << t < n) t++
  for (let p = 1 << (t - 1); p > 0; p >>= 1) {
    let q = 1 << (t - 1)
    let r = 0
    let d = p
    for (;;) {
      for (let i = 0; i < n - d; i++) if ((i & p) === r) ces.push([i, i + d])
      if (q === p) break
      d = q - p
      q >>= 1
      r = p
    }
  }
  return ces
}

/** Keeps the comparators (and the halves of them) that the output `k` depends on. */
function pruneForRank(ces, k) {
  const needed = new Set([k])
  const ops = []
  for (let c = ces.length - 1; c >= 0; c--) {
    const [i, j] = ces[c]
    const lo = needed.has(i)
    const hi = needed.has(j)
    if (!lo && !hi) continue
    ops.push({ i, j, lo, hi })
    needed.add(i)
    needed.add(j)
  }
  return ops.reverse()
}

/** Checks the pruned network on random inputs against sorting. */
function verify(n, k, ops) {
  for (let trial = 0; trial < 20000; trial++) {
    const v = Array.from({ length: n }, () => Math.floor(Math.random() * 7))
    const w = [...v]
    for (const { i, j, lo, hi } of ops) {
      const a = w[i]
      const b = w[j]
      if (lo) w[i] = Math.min(a, b)
      if (hi) w[j] = Math.max(a, b)
    }
    if (w[k] !== [...v].sort((a, b) => a - b)[k]) throw new Error(`median network ${n} is wrong`)
  }
}

function medianFunc(name, k) {
  const n = k * k
  const rank = n >> 1
  const ops = pruneForRank(mergeExchange(n), rank)
  verify(n, rank, ops)
  const r = k >> 1
  const lines = []
  lines.push(`  ;; ${k}×${k} median, ${ops.length} compare-exchanges after pruning`)
  lines.push(`  (func $${name} (export "${name}") (param $dst i32) (param $src i32) (param $w i32) (param $h i32) (param $S i32)`)
  lines.push('    (local $y i32) (local $c i32) (local $nc i32) (local $o i32) (local $d i32) (local $row i32) (local $t v128)')
  for (let v = 0; v < n; v++) lines.push(`    (local $v${v} v128)`)
  lines.push('    (local.set $nc (i32.shr_u (i32.add (local.get $w) (i32.const 3)) (i32.const 2)))')
  lines.push('    (local.set $row (i32.shl (local.get $S) (i32.const 2)))')
  lines.push('    (local.set $y (i32.const 0))')
  lines.push('    (block $ybreak (loop $yloop')
  lines.push('      (br_if $ybreak (i32.ge_s (local.get $y) (local.get $h)))')
  // o: byte address of the window centre in src; d: output address in dst.
  lines.push(
    '      (local.set $o (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (i32.add (local.get $y) (i32.const 2)) (local.get $S)) (i32.const 4)) (i32.const 2))))',
  )
  lines.push(
    '      (local.set $d (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (i32.add (local.get $y) (i32.const 1)) (local.get $S)) (i32.const 4)) (i32.const 2))))',
  )
  lines.push('      (local.set $c (i32.const 0))')
  lines.push('      (block $cbreak (loop $cloop')
  lines.push('        (br_if $cbreak (i32.ge_s (local.get $c) (local.get $nc)))')
  let v = 0
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) {
      // address = o + dy·row + dx·4 (dy·row is computed at run time; dx folded into the offset when ≥ 0)
      const rowExpr = dy === 0 ? '(local.get $o)' : `(i32.add (local.get $o) (i32.mul (local.get $row) (i32.const ${dy})))`
      const addr = dx >= 0 ? rowExpr : `(i32.sub ${rowExpr} (i32.const ${-dx * 4}))`
      const off = dx > 0 ? ` offset=${dx * 4}` : ''
      lines.push(`        (local.set $v${v++} (v128.load${off} align=4 ${addr}))`)
    }
  }
  for (const { i, j, lo, hi } of ops) {
    if (lo && hi) {
      lines.push(`        (local.set $t (f32x4.pmin (local.get $v${i}) (local.get $v${j})))`)
      lines.push(`        (local.set $v${j} (f32x4.pmax (local.get $v${i}) (local.get $v${j})))`)
      lines.push(`        (local.set $v${i} (local.get $t))`)
    } else if (lo) {
      lines.push(`        (local.set $v${i} (f32x4.pmin (local.get $v${i}) (local.get $v${j})))`)
    } else {
      lines.push(`        (local.set $v${j} (f32x4.pmax (local.get $v${i}) (local.get $v${j})))`)
    }
  }
  lines.push(`        (v128.store align=4 (local.get $d) (local.get $v${rank}))`)
  lines.push('        (local.set $o (i32.add (local.get $o) (i32.const 16)))')
  lines.push('        (local.set $d (i32.add (local.get $d) (i32.const 16)))')
  lines.push('        (local.set $c (i32.add (local.get $c) (i32.const 1)))')
  lines.push('        (br $cloop)))')
  lines.push('      (local.set $y (i32.add (local.get $y) (i32.const 1)))')
  lines.push('      (br $yloop)))')
  lines.push('  )')
  return lines.join('\n')
}

// One fused primal–dual iteration. Row y's primal update, then the dual update of row y − 1
// (its forward differences need row y). Returns Σ|u_new − u_old|² over the valid pixels.
const pdStep = String.raw`
  ;; dual update of one row: p = (p + τ/θ·∇u) / (1 + τ/θ·|∇u|), forward differences (IPOL eq. 19)
  (func $dual_row (param $o i32) (param $nc i32) (param $row i32) (param $u1 i32) (param $u2 i32)
      (param $p11 i32) (param $p12 i32) (param $p21 i32) (param $p22 i32) (param $taut v128)
    (local $c i32) (local $a v128) (local $gx v128) (local $gy v128) (local $inv v128)
    (local.set $c (i32.const 0))
    (block $break (loop $loop
      (br_if $break (i32.ge_s (local.get $c) (local.get $nc)))
      ;; u1
      (local.set $a (v128.load align=4 (i32.add (local.get $u1) (local.get $o))))
      (local.set $gx (f32x4.sub (v128.load offset=4 align=4 (i32.add (local.get $u1) (local.get $o))) (local.get $a)))
      (local.set $gy (f32x4.sub (v128.load align=4 (i32.add (i32.add (local.get $u1) (local.get $o)) (local.get $row))) (local.get $a)))
      (local.set $inv (f32x4.div (v128.const f32x4 1 1 1 1)
        (f32x4.add (v128.const f32x4 1 1 1 1)
          (f32x4.mul (local.get $taut) (f32x4.sqrt (f32x4.add (f32x4.mul (local.get $gx) (local.get $gx)) (f32x4.mul (local.get $gy) (local.get $gy))))))))
      (v128.store align=4 (i32.add (local.get $p11) (local.get $o))
        (f32x4.mul (f32x4.add (v128.load align=4 (i32.add (local.get $p11) (local.get $o))) (f32x4.mul (local.get $taut) (local.get $gx))) (local.get $inv)))
      (v128.store align=4 (i32.add (local.get $p12) (local.get $o))
        (f32x4.mul (f32x4.add (v128.load align=4 (i32.add (local.get $p12) (local.get $o))) (f32x4.mul (local.get $taut) (local.get $gy))) (local.get $inv)))
      ;; u2
      (local.set $a (v128.load align=4 (i32.add (local.get $u2) (local.get $o))))
      (local.set $gx (f32x4.sub (v128.load offset=4 align=4 (i32.add (local.get $u2) (local.get $o))) (local.get $a)))
      (local.set $gy (f32x4.sub (v128.load align=4 (i32.add (i32.add (local.get $u2) (local.get $o)) (local.get $row))) (local.get $a)))
      (local.set $inv (f32x4.div (v128.const f32x4 1 1 1 1)
        (f32x4.add (v128.const f32x4 1 1 1 1)
          (f32x4.mul (local.get $taut) (f32x4.sqrt (f32x4.add (f32x4.mul (local.get $gx) (local.get $gx)) (f32x4.mul (local.get $gy) (local.get $gy))))))))
      (v128.store align=4 (i32.add (local.get $p21) (local.get $o))
        (f32x4.mul (f32x4.add (v128.load align=4 (i32.add (local.get $p21) (local.get $o))) (f32x4.mul (local.get $taut) (local.get $gx))) (local.get $inv)))
      (v128.store align=4 (i32.add (local.get $p22) (local.get $o))
        (f32x4.mul (f32x4.add (v128.load align=4 (i32.add (local.get $p22) (local.get $o))) (f32x4.mul (local.get $taut) (local.get $gy))) (local.get $inv)))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $loop)))
  )

  (func $pd_step (export "pd_step")
      (param $ix i32) (param $iy i32) (param $rhoc i32)
      (param $u1 i32) (param $u2 i32) (param $p11 i32) (param $p12 i32) (param $p21 i32) (param $p22 i32)
      (param $w i32) (param $h i32) (param $S i32) (param $lt f32) (param $theta f32) (param $taut f32)
      (result f64)
    (local $y i32) (local $c i32) (local $nc i32) (local $row i32) (local $o i32) (local $orow i32) (local $last i32)
    (local $err f64) (local $acc v128) (local $mask v128)
    (local $vlt v128) (local $vnlt v128) (local $vtheta v128) (local $vtaut v128)
    (local $gx v128) (local $gy v128) (local $g v128) (local $u1k v128) (local $u2k v128) (local $rho v128) (local $ltg v128)
    (local $m1 v128) (local $m2 v128) (local $m3 v128) (local $fi v128) (local $n1 v128) (local $n2 v128) (local $e v128)
    (local.set $vlt (f32x4.splat (local.get $lt)))
    (local.set $vnlt (f32x4.neg (local.get $vlt)))
    (local.set $vtheta (f32x4.splat (local.get $theta)))
    (local.set $vtaut (f32x4.splat (local.get $taut)))
    (local.set $nc (i32.shr_u (i32.add (local.get $w) (i32.const 3)) (i32.const 2)))
    (local.set $row (i32.shl (local.get $S) (i32.const 2)))
    ;; lanes of the last chunk that lie inside the image
    (local.set $last (i32.sub (local.get $w) (i32.shl (i32.sub (local.get $nc) (i32.const 1)) (i32.const 2))))
    (local.set $mask (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (local.get $last))))
    (local.set $y (i32.const 0))
    (block $ybreak (loop $yloop
      (br_if $ybreak (i32.ge_s (local.get $y) (local.get $h)))
      (local.set $orow (i32.shl (i32.add (i32.mul (i32.add (local.get $y) (i32.const 1)) (local.get $S)) (i32.const 4)) (i32.const 2)))
      (local.set $o (local.get $orow))
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $c (i32.const 0))
      (block $cbreak (loop $cloop
        (br_if $cbreak (i32.ge_s (local.get $c) (local.get $nc)))
        (local.set $gx (v128.load align=4 (i32.add (local.get $ix) (local.get $o))))
        (local.set $gy (v128.load align=4 (i32.add (local.get $iy) (local.get $o))))
        (local.set $g (f32x4.add (f32x4.mul (local.get $gx) (local.get $gx)) (f32x4.mul (local.get $gy) (local.get $gy))))
        (local.set $u1k (v128.load align=4 (i32.add (local.get $u1) (local.get $o))))
        (local.set $u2k (v128.load align=4 (i32.add (local.get $u2) (local.get $o))))
        ;; thresholding TH (IPOL eq. 15): ρ = ρc + ∇I1w·u
        (local.set $rho (f32x4.add (v128.load align=4 (i32.add (local.get $rhoc) (local.get $o)))
          (f32x4.add (f32x4.mul (local.get $gx) (local.get $u1k)) (f32x4.mul (local.get $gy) (local.get $u2k)))))
        (local.set $ltg (f32x4.mul (local.get $vlt) (local.get $g)))
        (local.set $m1 (f32x4.lt (local.get $rho) (f32x4.neg (local.get $ltg))))
        (local.set $m2 (f32x4.gt (local.get $rho) (local.get $ltg)))
        (local.set $m3 (f32x4.gt (local.get $g) (v128.const f32x4 1.1920928955078125e-7 1.1920928955078125e-7 1.1920928955078125e-7 1.1920928955078125e-7)))
        (local.set $fi (f32x4.div (f32x4.neg (local.get $rho)) (local.get $g)))
        ;; u_new = v + θ·div p, v = u + d (d selected by the three cases)
        (local.set $n1 (f32x4.add (local.get $u1k)
          (f32x4.add
            (v128.bitselect (f32x4.mul (local.get $vlt) (local.get $gx))
              (v128.bitselect (f32x4.mul (local.get $vnlt) (local.get $gx))
                (v128.and (f32x4.mul (local.get $fi) (local.get $gx)) (local.get $m3))
                (local.get $m2))
              (local.get $m1))
            (f32x4.mul (local.get $vtheta)
              (f32x4.add
                (f32x4.sub (v128.load align=4 (i32.add (local.get $p11) (local.get $o)))
                           (v128.load align=4 (i32.sub (i32.add (local.get $p11) (local.get $o)) (i32.const 4))))
                (f32x4.sub (v128.load align=4 (i32.add (local.get $p12) (local.get $o)))
                           (v128.load align=4 (i32.sub (i32.add (local.get $p12) (local.get $o)) (local.get $row)))))))))
        (local.set $n2 (f32x4.add (local.get $u2k)
          (f32x4.add
            (v128.bitselect (f32x4.mul (local.get $vlt) (local.get $gy))
              (v128.bitselect (f32x4.mul (local.get $vnlt) (local.get $gy))
                (v128.and (f32x4.mul (local.get $fi) (local.get $gy)) (local.get $m3))
                (local.get $m2))
              (local.get $m1))
            (f32x4.mul (local.get $vtheta)
              (f32x4.add
                (f32x4.sub (v128.load align=4 (i32.add (local.get $p21) (local.get $o)))
                           (v128.load align=4 (i32.sub (i32.add (local.get $p21) (local.get $o)) (i32.const 4))))
                (f32x4.sub (v128.load align=4 (i32.add (local.get $p22) (local.get $o)))
                           (v128.load align=4 (i32.sub (i32.add (local.get $p22) (local.get $o)) (local.get $row)))))))))
        (v128.store align=4 (i32.add (local.get $u1) (local.get $o)) (local.get $n1))
        (v128.store align=4 (i32.add (local.get $u2) (local.get $o)) (local.get $n2))
        (local.set $n1 (f32x4.sub (local.get $n1) (local.get $u1k)))
        (local.set $n2 (f32x4.sub (local.get $n2) (local.get $u2k)))
        (local.set $e (f32x4.add (f32x4.mul (local.get $n1) (local.get $n1)) (f32x4.mul (local.get $n2) (local.get $n2))))
        (if (i32.eq (local.get $c) (i32.sub (local.get $nc) (i32.const 1)))
          (then (local.set $e (v128.and (local.get $e) (local.get $mask)))))
        (local.set $acc (f32x4.add (local.get $acc) (local.get $e)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cloop)))
      (local.set $err (f64.add (local.get $err) (f64.promote_f32
        (f32.add (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
                 (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))))
      ;; replicate the last column into the pad so that ∂x u = 0 there (OpenCV's forwardGradient)
      (local.set $o (i32.add (local.get $orow) (i32.shl (local.get $w) (i32.const 2))))
      (f32.store (i32.add (local.get $u1) (local.get $o)) (f32.load (i32.sub (i32.add (local.get $u1) (local.get $o)) (i32.const 4))))
      (f32.store (i32.add (local.get $u2) (local.get $o)) (f32.load (i32.sub (i32.add (local.get $u2) (local.get $o)) (i32.const 4))))
      (if (i32.gt_s (local.get $y) (i32.const 0))
        (then (call $dual_row (i32.sub (local.get $orow) (local.get $row)) (local.get $nc) (local.get $row)
          (local.get $u1) (local.get $u2) (local.get $p11) (local.get $p12) (local.get $p21) (local.get $p22) (local.get $vtaut))))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $yloop)))
    ;; replicate the last row into the pad row so that ∂y u = 0 there, then the last dual row
    (local.set $orow (i32.shl (i32.mul (local.get $h) (local.get $S)) (i32.const 2)))
    (memory.copy (i32.add (local.get $u1) (i32.add (local.get $orow) (local.get $row))) (i32.add (local.get $u1) (local.get $orow)) (local.get $row))
    (memory.copy (i32.add (local.get $u2) (i32.add (local.get $orow) (local.get $row))) (i32.add (local.get $u2) (local.get $orow)) (local.get $row))
    (call $dual_row (i32.add (local.get $orow) (i32.const 16)) (local.get $nc) (local.get $row)
      (local.get $u1) (local.get $u2) (local.get $p11) (local.get $p12) (local.get $p21) (local.get $p22) (local.get $vtaut))
    (local.get $err)
  )
`

// Bicubic (Catmull–Rom, Keys a = −0.5) warping of I1 and its gradient at x + u, fused with the
// linearisation: fills I1wx, I1wy and ρc = I1w − ∇I1w·u − I0 (pd_step recomputes |∇I1w|²). The image planes
// carry 4 replicated columns on each side, so a row of 4 taps is one v128 load; rows are clamped.
function samplePlane(plane, out) {
  const load = (k) => `(v128.load align=4 (i32.add (local.get $${plane}) (local.get $r${k})))`
  return `
        (local.set $acc (f32x4.mul ${load(0)} (local.get $wy0)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul ${load(1)} (local.get $wy1))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul ${load(2)} (local.get $wy2))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul ${load(3)} (local.get $wy3))))
        (local.set $acc (f32x4.mul (local.get $acc) (local.get $wx)))
        (local.set $${out} (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
          (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))`
}

/** Keys weights (a = −0.5) of the taps at distances (t + 1, t, 1 − t, 2 − t), into local `target` (inlined). */
function keysWeights(target, t) {
  return `
        (local.set $d (f32x4.add (f32x4.mul (f32x4.splat ${t}) (v128.const f32x4 1 1 -1 -1)) (v128.const f32x4 1 0 1 2)))
        (local.set $${target} (v128.bitselect
          ;; |d| ≤ 1: (a + 2)d³ − (a + 3)d² + 1
          (f32x4.add (f32x4.mul (f32x4.mul (f32x4.sub (f32x4.mul (v128.const f32x4 1.5 1.5 1.5 1.5) (local.get $d)) (v128.const f32x4 2.5 2.5 2.5 2.5)) (local.get $d)) (local.get $d)) (v128.const f32x4 1 1 1 1))
          ;; 1 < |d| < 2: a·d³ − 5a·d² + 8a·d − 4a
          (f32x4.add (f32x4.mul (f32x4.add (f32x4.mul (f32x4.add (f32x4.mul (v128.const f32x4 -0.5 -0.5 -0.5 -0.5) (local.get $d)) (v128.const f32x4 2.5 2.5 2.5 2.5)) (local.get $d)) (v128.const f32x4 -4 -4 -4 -4)) (local.get $d)) (v128.const f32x4 2 2 2 2))
          (v128.const i32x4 0 -1 -1 0)))`
}

function rowOffset(k) {
  // byte offset of tap row k: ((clamp(y0 − 1 + k, 0, h − 1) + 1)·S + 4 + x0 − 1)·4
  return `
        (local.set $t (i32.add (local.get $y0) (i32.const ${k - 1})))
        (local.set $t (select (i32.const 0) (local.get $t) (i32.lt_s (local.get $t) (i32.const 0))))
        (local.set $t (select (local.get $hm) (local.get $t) (i32.gt_s (local.get $t) (local.get $hm))))
        (local.set $r${k} (i32.shl (i32.add (i32.mul (i32.add (local.get $t) (i32.const 1)) (local.get $S)) (i32.add (local.get $x0) (i32.const 3))) (i32.const 2)))`
}

const warp = String.raw`
  (func $warp (export "warp")
      (param $I0 i32) (param $I1 i32) (param $I1x i32) (param $I1y i32) (param $u1 i32) (param $u2 i32)
      (param $ix i32) (param $iy i32) (param $rhoc i32) (param $w i32) (param $h i32) (param $S i32)
    (local $x i32) (local $y i32) (local $o i32) (local $hm i32) (local $t i32) (local $x0 i32) (local $y0 i32)
    (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32)
    (local $fx f32) (local $fy f32) (local $fx0 f32) (local $fy0 f32) (local $uu f32) (local $vv f32)
    (local $s0 f32) (local $sx f32) (local $sy f32)
    (local $d v128) (local $wx v128) (local $wyv v128) (local $wy0 v128) (local $wy1 v128) (local $wy2 v128) (local $wy3 v128) (local $acc v128)
    (local.set $hm (i32.sub (local.get $h) (i32.const 1)))
    (local.set $y (i32.const 0))
    (block $ybreak (loop $yloop
      (br_if $ybreak (i32.ge_s (local.get $y) (local.get $h)))
      (local.set $o (i32.shl (i32.add (i32.mul (i32.add (local.get $y) (i32.const 1)) (local.get $S)) (i32.const 4)) (i32.const 2)))
      (local.set $x (i32.const 0))
      (block $xbreak (loop $xloop
        (br_if $xbreak (i32.ge_s (local.get $x) (local.get $w)))
        (local.set $uu (f32.load (i32.add (local.get $u1) (local.get $o))))
        (local.set $vv (f32.load (i32.add (local.get $u2) (local.get $o))))
        (local.set $fx (f32.add (f32.convert_i32_s (local.get $x)) (local.get $uu)))
        (local.set $fy (f32.add (f32.convert_i32_s (local.get $y)) (local.get $vv)))
        (local.set $fx0 (f32.floor (local.get $fx)))
        (local.set $fy0 (f32.floor (local.get $fy)))
${keysWeights('wx', '(f32.sub (local.get $fx) (local.get $fx0))')}
${keysWeights('wyv', '(f32.sub (local.get $fy) (local.get $fy0))')}
        (local.set $wy0 (f32x4.splat (f32x4.extract_lane 0 (local.get $wyv))))
        (local.set $wy1 (f32x4.splat (f32x4.extract_lane 1 (local.get $wyv))))
        (local.set $wy2 (f32x4.splat (f32x4.extract_lane 2 (local.get $wyv))))
        (local.set $wy3 (f32x4.splat (f32x4.extract_lane 3 (local.get $wyv))))
        ;; clamp the integer parts to [−3, size + 1]: beyond, all four taps are the replicated edge
        (local.set $fx0 (f32.min (f32.max (local.get $fx0) (f32.const -3)) (f32.convert_i32_s (i32.add (local.get $w) (i32.const 1)))))
        (local.set $fy0 (f32.min (f32.max (local.get $fy0) (f32.const -3)) (f32.convert_i32_s (i32.add (local.get $h) (i32.const 1)))))
        (local.set $x0 (i32.trunc_sat_f32_s (local.get $fx0)))
        (local.set $y0 (i32.trunc_sat_f32_s (local.get $fy0)))
${[0, 1, 2, 3].map(rowOffset).join('')}
${samplePlane('I1', 's0')}
${samplePlane('I1x', 'sx')}
${samplePlane('I1y', 'sy')}
        (f32.store (i32.add (local.get $ix) (local.get $o)) (local.get $sx))
        (f32.store (i32.add (local.get $iy) (local.get $o)) (local.get $sy))
        (f32.store (i32.add (local.get $rhoc) (local.get $o))
          (f32.sub (f32.sub (f32.sub (local.get $s0) (f32.mul (local.get $sx) (local.get $uu))) (f32.mul (local.get $sy) (local.get $vv)))
                   (f32.load (i32.add (local.get $I0) (local.get $o)))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $xloop)))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $yloop)))
  )
`

/**
 * `warp_ocv`: tvl1-remap.ts's `warpAndLineariseOpenCv` (cv::remap INTER_CUBIC, 1/32-px coordinates,
 * zero border, then ρc) with the same numbers: coordinates rounded as there (x + u to float, ·32,
 * round half to even), 2-D weights the float products of the 1-D table at `tab` (32 fractions × 4
 * f32), sums in f64 in the same order (per row ((a·p0 + b·p1) + c·p2) + d·p3 when all 16 taps are
 * inside, tap by tap otherwise). Writes ∂xI1w, ∂yI1w and ρc (pd_step computes |∇I1w|² itself).
 */
function ocvTapsInside() {
  const rows = [0, 1, 2, 3].map((j) => {
    const weight = (k) => `(f64.promote_f32 (f32.mul (local.get $wy) (f32.load offset=${k * 4} (local.get $wxp))))`
    const px = (plane, k) => `(f64.promote_f32 (f32.load offset=${k * 4} (i32.add (local.get $${plane}) (local.get $row))))`
    const rowSum = (plane) =>
      `(f64.add (f64.add (f64.add (f64.mul (local.get $a) ${px(plane, 0)}) (f64.mul (local.get $b) ${px(plane, 1)})) (f64.mul (local.get $c) ${px(plane, 2)})) (f64.mul (local.get $d) ${px(plane, 3)}))`
    return `
          (local.set $wy (f32.load offset=${j * 4} (local.get $wyp)))
          (local.set $a ${weight(0)}) (local.set $b ${weight(1)}) (local.set $c ${weight(2)}) (local.set $d ${weight(3)})
          (local.set $row (i32.shl (i32.add (i32.mul (i32.add (local.get $sy0) (i32.const ${j + 1})) (local.get $S)) (i32.add (local.get $sx0) (i32.const 4))) (i32.const 2)))
          (local.set $s0 (f64.add (local.get $s0) ${rowSum('I1')}))
          (local.set $sx (f64.add (local.get $sx) ${rowSum('I1x')}))
          (local.set $sy (f64.add (local.get $sy) ${rowSum('I1y')}))`
  })
  return rows.join('')
}

function ocvTapsAtBorder() {
  const taps = []
  for (let j = 0; j < 4; j++) {
    for (let k = 0; k < 4; k++) {
      taps.push(`
          (if (i32.and
                (i32.lt_u (i32.add (local.get $sy0) (i32.const ${j})) (local.get $h))
                (i32.lt_u (i32.add (local.get $sx0) (i32.const ${k})) (local.get $w)))
            (then
              (local.set $a (f64.promote_f32 (f32.mul (f32.load offset=${j * 4} (local.get $wyp)) (f32.load offset=${k * 4} (local.get $wxp)))))
              (local.set $row (i32.shl (i32.add (i32.mul (i32.add (local.get $sy0) (i32.const ${j + 1})) (local.get $S)) (i32.add (local.get $sx0) (i32.const ${k + 4}))) (i32.const 2)))
              (local.set $s0 (f64.add (local.get $s0) (f64.mul (local.get $a) (f64.promote_f32 (f32.load (i32.add (local.get $I1) (local.get $row)))))))
              (local.set $sx (f64.add (local.get $sx) (f64.mul (local.get $a) (f64.promote_f32 (f32.load (i32.add (local.get $I1x) (local.get $row)))))))
              (local.set $sy (f64.add (local.get $sy) (f64.mul (local.get $a) (f64.promote_f32 (f32.load (i32.add (local.get $I1y) (local.get $row)))))))))`)
    }
  }
  return taps.join('')
}

/** The 1/32-px fixed-point coordinate of pixel `i` displaced by `u`, as in tvl1-remap.ts: roundEven(fround(i + u)·32). */
function ocvCoordinate(i, u) {
  return `(i32.trunc_sat_f64_s (f64.nearest (f64.mul (f64.promote_f32 (f32.demote_f64 (f64.add (f64.convert_i32_s (local.get $${i})) (f64.promote_f32 (local.get $${u}))))) (f64.const 32))))`
}

const warpOcv = String.raw`
  (func $warp_ocv (export "warp_ocv")
      (param $I0 i32) (param $I1 i32) (param $I1x i32) (param $I1y i32) (param $u1 i32) (param $u2 i32)
      (param $ix i32) (param $iy i32) (param $rhoc i32) (param $w i32) (param $h i32) (param $S i32) (param $tab i32)
    (local $x i32) (local $y i32) (local $o i32) (local $qx i32) (local $qy i32) (local $sx0 i32) (local $sy0 i32)
    (local $wxp i32) (local $wyp i32) (local $row i32)
    (local $uu f32) (local $vv f32) (local $wy f32)
    (local $s0 f64) (local $sx f64) (local $sy f64) (local $a f64) (local $b f64) (local $c f64) (local $d f64)
    (local.set $y (i32.const 0))
    (block $ybreak (loop $yloop
      (br_if $ybreak (i32.ge_s (local.get $y) (local.get $h)))
      (local.set $o (i32.shl (i32.add (i32.mul (i32.add (local.get $y) (i32.const 1)) (local.get $S)) (i32.const 4)) (i32.const 2)))
      (local.set $x (i32.const 0))
      (block $xbreak (loop $xloop
        (br_if $xbreak (i32.ge_s (local.get $x) (local.get $w)))
        (local.set $uu (f32.load (i32.add (local.get $u1) (local.get $o))))
        (local.set $vv (f32.load (i32.add (local.get $u2) (local.get $o))))
        (local.set $qx ${ocvCoordinate('x', 'uu')})
        (local.set $qy ${ocvCoordinate('y', 'vv')})
        (local.set $sx0 (i32.sub (i32.shr_s (local.get $qx) (i32.const 5)) (i32.const 1)))
        (local.set $sy0 (i32.sub (i32.shr_s (local.get $qy) (i32.const 5)) (i32.const 1)))
        (local.set $wxp (i32.add (local.get $tab) (i32.shl (i32.and (local.get $qx) (i32.const 31)) (i32.const 4))))
        (local.set $wyp (i32.add (local.get $tab) (i32.shl (i32.and (local.get $qy) (i32.const 31)) (i32.const 4))))
        (local.set $s0 (f64.const 0))
        (local.set $sx (f64.const 0))
        (local.set $sy (f64.const 0))
        (if (i32.and
              (i32.and (i32.ge_s (local.get $sx0) (i32.const 0)) (i32.lt_s (i32.add (local.get $sx0) (i32.const 3)) (local.get $w)))
              (i32.and (i32.ge_s (local.get $sy0) (i32.const 0)) (i32.lt_s (i32.add (local.get $sy0) (i32.const 3)) (local.get $h))))
          (then ${ocvTapsInside()})
          (else ${ocvTapsAtBorder()}))
        (f32.store (i32.add (local.get $ix) (local.get $o)) (f32.demote_f64 (local.get $sx)))
        (f32.store (i32.add (local.get $iy) (local.get $o)) (f32.demote_f64 (local.get $sy)))
        (f32.store (i32.add (local.get $rhoc) (local.get $o))
          (f32.demote_f64 (f64.sub (f64.sub (f64.sub (local.get $s0) (f64.mul (local.get $sx) (f64.promote_f32 (local.get $uu))))
                                            (f64.mul (local.get $sy) (f64.promote_f32 (local.get $vv))))
                                   (f64.promote_f32 (f32.load (i32.add (local.get $I0) (local.get $o)))))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br $xloop)))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $yloop)))
  )
`

const wat = `;; GENERATED by scripts/build-tvl1-wasm.mjs — edit the generator, not this file.
;; WebAssembly SIMD kernels of TV-L1 optical flow (see src/main/vision/tvl1-wasm.ts).
(module
  (import "env" "memory" (memory 1))
${pdStep}
${warp}
${warpOcv}
${medianFunc('median3', 3)}
${medianFunc('median5', 5)}
)
`

const tmp = mkdtempSync(join(tmpdir(), 'tvl1-wasm-'))
try {
  writeFileSync(join(outDir, 'tvl1-kernels.wat'), wat)
  const wasmPath = join(tmp, 'tvl1-kernels.wasm')
  execFileSync('wat2wasm', [join(outDir, 'tvl1-kernels.wat'), '-o', wasmPath], { stdio: 'inherit' })
  const b64 = readFileSync(wasmPath).toString('base64')
  const lines = b64.match(/.{1,100}/g).map((l) => `  '${l}',`)
  writeFileSync(
    join(outDir, 'tvl1-kernels.ts'),
    `// GENERATED by scripts/build-tvl1-wasm.mjs from tvl1-kernels.wat — do not edit.\n` +
      `/** The TV-L1 WebAssembly SIMD kernels (${readFileSync(wasmPath).length} bytes), base64. */\n` +
      `export const TVL1_KERNELS_WASM_BASE64 = [\n${lines.join('\n')}\n].join('')\n`,
  )
  console.log(`wrote ${join(outDir, 'tvl1-kernels.wat')} and tvl1-kernels.ts`)
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
