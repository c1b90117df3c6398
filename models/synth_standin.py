"""Stand-in synthetic micro-expression renderer (used only when the studio's
generator, `me-studio synth`, is not available). It writes the same layout as
that generator's CASME II format, restricted to what models/prepare_synthetic.py
reads: `subXX/EPYY_ZZ/imgN.png` frames, a label CSV and `ground-truth.json`.

Rendering: the face crop of the astronaut photo bundled with the studio (public domain, see
resources/faces/PROVENANCE.md) at 128x128. Each subject gets a random
similarity transform (scale 0.94-1.06, rotation +-4 deg, shift +-3 px), gamma
0.8-1.25, colour gains 0.9-1.1 and sensor noise sigma 1-2 grey levels. Each
sample moves Gaussian regions (sigma 7 px) at the action's FACS sites with a
raised-cosine time profile (0 at onset, 1 at apex, 0 at offset) and a peak
displacement of 0.5-2 px: AU12 lip corners up/out (positive), AU4 inner brows
down/in or AU14 lip corners inwards (negative), AU1+2 whole brows up
(surprise)."""
import argparse
import csv
import json
import os

import cv2
import numpy as np

FACE_PHOTO = os.path.join(os.path.dirname(__file__), '..', 'resources', 'faces', 'astronaut.png')
CROP = (162, 61, 125)  # x, y, side of the face square in the 512x512 photo
SIZE = 128
SIGMA = 7.0
# Sites in the canonical 128x128 crop: (name, x, y, direction x, direction y)
ACTIONS = {
    'AU12': ('positive', 'happiness', [('left lip corner', 42, 83, -0.6, -0.8), ('right lip corner', 87, 83, 0.6, -0.8)]),
    'AU4': ('negative', 'disgust', [('left inner brow', 51, 35, 0.5, 0.85), ('right inner brow', 74, 35, -0.5, 0.85)]),
    'AU14': ('negative', 'repression', [('left lip corner', 42, 83, 1.0, 0.1), ('right lip corner', 87, 83, -1.0, 0.1)]),
    'AU1+2': ('surprise', 'surprise', [('left outer brow', 33, 34, 0, -1), ('left inner brow', 51, 35, 0, -1),
                                        ('right inner brow', 74, 35, 0, -1), ('right outer brow', 95, 35, 0, -1)]),
}
CLASS_ACTIONS = {'positive': ['AU12'], 'negative': ['AU4', 'AU14'], 'surprise': ['AU1+2']}


def canonical_face():
    photo = cv2.imread(FACE_PHOTO, cv2.IMREAD_COLOR)
    x, y, s = CROP
    return cv2.resize(photo[y:y + s, x:x + s].astype(np.float32), (SIZE, SIZE), interpolation=cv2.INTER_CUBIC)


def displacement(sites, amplitude):
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    u = np.zeros((SIZE, SIZE), np.float32)
    v = np.zeros((SIZE, SIZE), np.float32)
    for _, cx, cy, dx, dy in sites:
        norm = np.hypot(dx, dy)
        g = amplitude * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * SIGMA ** 2))
        u += g * dx / norm
        v += g * dy / norm
    return u, v


def raised_cosine(t, onset, apex, offset):
    if t <= onset or t >= offset:
        return 0.0
    if t <= apex:
        return 0.5 * (1 - np.cos(np.pi * (t - onset) / (apex - onset)))
    return 0.5 * (1 + np.cos(np.pi * (t - apex) / (offset - apex)))


def render_subject(rng):
    angle, scale = rng.uniform(-4, 4), rng.uniform(0.94, 1.06)
    m = cv2.getRotationMatrix2D((SIZE / 2, SIZE / 2), angle, scale)
    m[:, 2] += rng.uniform(-3, 3, size=2)
    return {'affine': m, 'gamma': rng.uniform(0.8, 1.25), 'gains': rng.uniform(0.9, 1.1, size=3),
            'noise': rng.uniform(1.0, 2.0)}


def render_frame(face, u, v, weight, subject, rng):
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    # Backward warp: output pixel p shows the neutral face at p - d(p) (d is small and smooth).
    moved = cv2.remap(face, xx - weight * u, yy - weight * v, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT_101)
    posed = cv2.warpAffine(moved, subject['affine'], (SIZE, SIZE), flags=cv2.INTER_CUBIC,
                           borderMode=cv2.BORDER_REFLECT_101)
    toned = 255.0 * (np.clip(posed, 0, 255) / 255.0) ** subject['gamma'] * subject['gains']
    noisy = toned + rng.normal(0, subject['noise'], toned.shape)
    return np.clip(np.rint(noisy), 0, 255).astype(np.uint8)


def transform_point(m, x, y):
    return float(m[0, 0] * x + m[0, 1] * y + m[0, 2]), float(m[1, 0] * x + m[1, 1] * y + m[1, 2])


def generate(out, subjects, samples_per_subject, seed, frames=20):
    rng = np.random.default_rng(seed)
    face = canonical_face()
    truth = {'generator': 'models/synth_standin.py', 'version': 1, 'seed': seed, 'format': 'casme2',
             'width': SIZE, 'height': SIZE, 'fps': 200, 'sourceFace': 'astronaut.png',
             'labelFile': 'CASME2-coding-standin.csv', 'subjects': [], 'samples': []}
    rows = []
    classes = list(CLASS_ACTIONS)
    for s in range(1, subjects + 1):
        subject = render_subject(rng)
        sub = f'sub{s:02d}'
        truth['subjects'].append({'subject': sub, 'identity': 'astronaut.png', 'noiseSigma': float(subject['noise'])})
        for k in range(samples_per_subject):
            label = classes[k % len(classes)]
            action = CLASS_ACTIONS[label][rng.integers(len(CLASS_ACTIONS[label]))]
            _, emotion, sites = ACTIONS[action]
            amplitude = float(rng.uniform(0.5, 2.0))
            first = int(rng.integers(1, 200))
            apex_index = int(rng.integers(round(0.35 * (frames - 1)), round(0.65 * (frames - 1)) + 1))
            name = f'EP{k + 1:02d}_{s:02d}'
            folder = os.path.join(out, sub, name)
            os.makedirs(folder, exist_ok=True)
            u, v = displacement(sites, amplitude)
            for t in range(frames):
                w = raised_cosine(t, 0, apex_index, frames - 1)
                cv2.imwrite(os.path.join(folder, f'img{first + t}.png'), render_frame(face, u, v, w, subject, rng))
            m = subject['affine']
            regions = []
            for site_name, cx, cy, dx, dy in sites:
                px, py = transform_point(m, cx, cy)
                r = 2 * SIGMA * float(np.hypot(m[0, 0], m[0, 1]))
                regions.append({'name': site_name, 'centre': {'x': px, 'y': py}, 'sigma': SIGMA, 'peak': amplitude,
                                'box': [max(0.0, px - r), max(0.0, py - r), min(SIZE - 1.0, px + r),
                                        min(SIZE - 1.0, py + r)]})
            truth['samples'].append({
                'subject': sub, 'sample': name, 'path': f'{sub}/{name}', 'frameCount': frames,
                'firstFrameNumber': first, 'onset': first, 'apex': first + apex_index, 'offset': first + frames - 1,
                'onsetIndex': 0, 'apexIndex': apex_index, 'offsetIndex': frames - 1, 'action': action,
                'auText': action.replace('AU', ''), 'emotion': emotion, 'megcClass': label, 'amplitude': amplitude,
                'regions': regions})
            rows.append([sub[3:], name, first, first + apex_index, first + frames - 1, action.replace('AU', ''), emotion])
    with open(os.path.join(out, truth['labelFile']), 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['Subject', 'Filename', 'OnsetFrame', 'ApexFrame', 'OffsetFrame', 'Action Units', 'Estimated Emotion'])
        w.writerows(rows)
    with open(os.path.join(out, 'ground-truth.json'), 'w') as f:
        json.dump(truth, f, indent=1)
    return truth


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('out')
    ap.add_argument('--subjects', type=int, default=12)
    ap.add_argument('--samples-per-subject', type=int, default=12)
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    generate(a.out, a.subjects, a.samples_per_subject, a.seed)


if __name__ == '__main__':
    main()
