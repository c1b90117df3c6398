/**
 * Face detection and 68-point landmarks with `@vladmandic/face-api` (MIT) on TensorFlow.js's
 * WebAssembly backend — the only module of the vision code that loads model files (and so the
 * only one with `node:` imports).
 *
 * Why face-api rather than the same weights converted to ONNX: the weights ship inside the npm
 * package (tiny detector 193 KB, 68-landmark net 357 KB), the models are maintained, and the wasm
 * backend measures 54–127 ms per image here (ENVIRONMENT.md) — good enough because alignment needs
 * landmarks on the onset frame only. An ONNX conversion would drop tfjs but needs a faithful
 * re-implementation of both nets (TF 'same' padding, separable convs, YOLO box decoding) validated
 * against face-api anyway; worth doing only if tfjs's size becomes a problem.
 *
 * Detector: TinyFaceDetector (input 416 by default); landmarks: FaceLandmark68Net (the full 68-point
 * net; `tiny` selects the smaller one).
 */
import { dirname, join } from 'node:path'
import { createRequire } from 'node:module'
import type { RgbImage } from '../color'
import type { GrayImage } from '../image'
import type { Landmarks68, Point } from './landmarks'

export interface DetectedFace {
  /** Detector box in image pixels. */
  box: { x: number; y: number; width: number; height: number }
  /** Detector confidence 0–1. */
  score: number
  landmarks: Landmarks68
}

export interface FaceDetectOptions {
  /** Detector input side (multiple of 32): larger finds smaller faces, slower. Default 416. */
  inputSize?: number
  /** Minimum detector confidence. Default 0.3. */
  scoreThreshold?: number
}

export const FACE_DETECT_DEFAULTS: Required<FaceDetectOptions> = { inputSize: 416, scoreThreshold: 0.3 }

/**
 * Second try when the first finds nothing or nothing confident (best score under `belowScore`): the
 * frame centred on a mid-grey canvas twice its size, at input 224; the try with the more confident
 * best face wins. TinyFaceDetector misses many faces that fill most of the frame (tight crops like
 * CASME II's, and the generator's renders of real photos: 24 of 54 missed at 416, one more answered
 * by a 0.31 box on the hair, in bench/faces.bench.ts); shrunk to ~70 px in the net's input they are found.
 */
const CLOSE_UP_RETRY = { padding: 0.5, inputSize: 224, belowScore: 0.5 } as const

export interface FaceDetector {
  /** The most confident face, or null when none passes the threshold. */
  detect(image: GrayImage | RgbImage, options?: FaceDetectOptions): Promise<DetectedFace | null>
  /** Every face, most confident first. */
  detectAll(image: GrayImage | RgbImage, options?: FaceDetectOptions): Promise<DetectedFace[]>
  /** Backend actually used (`wasm`). */
  backend: string
}

export interface FaceModelOptions {
  /** Folder with the face-api weight manifests; default: the `model/` folder of the installed package. */
  modelDir?: string
  /** Landmark net: `full` (default) or `tiny`. */
  landmarkNet?: 'full' | 'tiny'
}

/* Minimal typing of the face-api surface used here (its bundled d.ts re-exports all of tfjs). */
interface Tensor {
  dispose(): void
}
interface FaceApiResult {
  detection: { score: number; box: { x: number; y: number; width: number; height: number } }
  landmarks: { positions: { x: number; y: number }[] }
}
interface FaceApi {
  tf: {
    setBackend(name: string): Promise<boolean>
    ready(): Promise<void>
    getBackend(): string
    tensor3d(values: Int32Array, shape: [number, number, number], dtype: 'int32'): Tensor
  }
  nets: Record<'tinyFaceDetector' | 'faceLandmark68Net' | 'faceLandmark68TinyNet', { loadFromDisk(dir: string): Promise<void> }>
  TinyFaceDetectorOptions: new (o: { inputSize: number; scoreThreshold: number }) => unknown
  detectAllFaces(input: Tensor, options: unknown): { withFaceLandmarks(tiny: boolean): Promise<FaceApiResult[]> }
}

let loading: Promise<FaceApi> | undefined
const loadedNets = new Set<string>()

async function faceApi(): Promise<FaceApi> {
  loading ??= (async () => {
    const require = createRequire(import.meta.url)
    const api = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi
    await api.tf.setBackend('wasm')
    await api.tf.ready()
    return api
  })()
  return loading
}

/** Package folder holding the face-api weights. */
export function defaultFaceModelDir(): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model')
}

/** Loads the backend and the two nets once per process; later calls reuse them. */
export async function loadFaceDetector(options: FaceModelOptions = {}): Promise<FaceDetector> {
  const api = await faceApi()
  const dir = options.modelDir ?? defaultFaceModelDir()
  const tiny = options.landmarkNet === 'tiny'
  for (const net of ['tinyFaceDetector', tiny ? 'faceLandmark68TinyNet' : 'faceLandmark68Net'] as const) {
    const key = `${net}@${dir}`
    if (loadedNets.has(key)) continue
    await api.nets[net].loadFromDisk(dir)
    loadedNets.add(key)
  }
  const run = async (pixels: Int32Array, width: number, height: number, inputSize: number, scoreThreshold: number, shift: number): Promise<DetectedFace[]> => {
    const tensor = api.tf.tensor3d(pixels, [height, width, 3], 'int32')
    try {
      const results = await api.detectAllFaces(tensor, new api.TinyFaceDetectorOptions({ inputSize, scoreThreshold })).withFaceLandmarks(tiny)
      return results
        .map((r) => ({
          box: { x: r.detection.box.x - shift, y: r.detection.box.y - shift, width: r.detection.box.width, height: r.detection.box.height },
          score: r.detection.score,
          landmarks: r.landmarks.positions.map((p): Point => ({ x: p.x - shift, y: p.y - shift })),
        }))
        .sort((a, b) => b.score - a.score)
    } finally {
      tensor.dispose()
    }
  }
  const detectAll = async (image: GrayImage | RgbImage, o: FaceDetectOptions = {}): Promise<DetectedFace[]> => {
    const { inputSize, scoreThreshold } = { ...FACE_DETECT_DEFAULTS, ...o }
    const pixels = toRgbInt32(image)
    const found = await run(pixels, image.width, image.height, inputSize, scoreThreshold, 0)
    if ((found[0]?.score ?? 0) >= CLOSE_UP_RETRY.belowScore) return found
    const pad = Math.round(CLOSE_UP_RETRY.padding * Math.max(image.width, image.height))
    const retry = await run(padded(pixels, image.width, image.height, pad), image.width + 2 * pad, image.height + 2 * pad, CLOSE_UP_RETRY.inputSize, scoreThreshold, pad)
    return (retry[0]?.score ?? 0) > (found[0]?.score ?? 0) ? retry : found
  }
  return {
    backend: api.tf.getBackend(),
    detectAll,
    detect: async (image, o) => (await detectAll(image, o))[0] ?? null,
  }
}

/** Interleaved 0–255 RGB as int32 (gray replicated to three channels). */
function toRgbInt32(image: GrayImage | RgbImage): Int32Array {
  const n = image.width * image.height
  const out = new Int32Array(3 * n)
  const d = image.data
  if (d.length === n) {
    for (let p = 0, k = 0; p < n; p++, k += 3) {
      const v = clamp255(d[p]!)
      out[k] = v
      out[k + 1] = v
      out[k + 2] = v
    }
  } else if (d.length === 3 * n) {
    for (let k = 0; k < 3 * n; k++) out[k] = clamp255(d[k]!)
  } else {
    throw new RangeError(`image data has ${d.length} values for ${image.width}×${image.height}`)
  }
  return out
}

/** `pixels` (interleaved RGB) centred on a mid-grey canvas with `pad` pixels on every side. */
function padded(pixels: Int32Array, width: number, height: number, pad: number): Int32Array {
  const outWidth = width + 2 * pad
  const out = new Int32Array(outWidth * (height + 2 * pad) * 3).fill(128)
  for (let y = 0; y < height; y++) out.set(pixels.subarray(y * width * 3, (y + 1) * width * 3), ((y + pad) * outWidth + pad) * 3)
  return out
}

function clamp255(v: number): number {
  const r = Math.round(v)
  return r < 0 ? 0 : r > 255 ? 255 : r
}
