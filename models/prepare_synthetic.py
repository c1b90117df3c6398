"""Turn a synthetic dataset (`me-studio synth ... --format casme2`, or the
stand-in models/synth_standin.py) into training sets in the manifest format of
models/README.md, one per model: <out>/<model>/manifest.csv + inputs/*.npy.

The synthetic ground truth (`ground-truth.json`) also gives each sample's
moving regions; their union of +-2 sigma boxes, scaled to the model input, is
written as regions/<sample>.npy (uint8 HxW) and referenced by the optional
`region` manifest column, which the attention check in models.train uses."""
import argparse
import csv
import json
import multiprocessing
import os
import re

import cv2
import numpy as np

from .registry import MODELS

MANIFEST_COLUMNS = ['dataset', 'subject', 'sample', 'label', 'onset', 'apex', 'offset', 'input', 'region']


def frame_files(folder):
    files = [f for f in os.listdir(folder) if re.search(r'\d+\.(jpg|jpeg|png|bmp)$', f, re.I)]
    return sorted(files, key=lambda f: int(re.findall(r'\d+', f)[-1]))


def region_mask(sample, width, height, size):
    mask = np.zeros((size, size), np.uint8)
    for r in sample['regions']:
        x0, y0, x1, y1 = r['box']
        sx, sy = size / width, size / height
        mask[int(np.floor(y0 * sy)):int(np.ceil(y1 * sy)) + 1, int(np.floor(x0 * sx)):int(np.ceil(x1 * sx)) + 1] = 1
    return mask


def _prepare_sample(job):
    root, sample, width, height, out, models, config = job
    cv2.setNumThreads(1)
    folder = os.path.join(root, sample['path'])
    files = frame_files(folder)[sample['onsetIndex']:sample['offsetIndex'] + 1]
    frames = [cv2.imread(os.path.join(folder, f), cv2.IMREAD_COLOR) for f in files]
    apex = sample['apexIndex'] - sample['onsetIndex']
    key = f"{sample['subject']}_{sample['sample']}"
    rows = {}
    for m in models:
        spec, cfg = MODELS[m], MODELS[m].configs[config]
        np.save(os.path.join(out, m, 'inputs', f'{key}.npy'), spec.make_input(frames, apex, cfg).astype(np.float32))
        np.save(os.path.join(out, m, 'regions', f'{key}.npy'), region_mask(sample, width, height, cfg['size']))
        rows[m] = {'dataset': 'synthetic', 'subject': sample['subject'], 'sample': sample['sample'],
                   'label': sample['megcClass'], 'onset': sample['onset'], 'apex': sample['apex'],
                   'offset': sample['offset'], 'input': f'inputs/{key}.npy', 'region': f'regions/{key}.npy'}
    return rows


def prepare(root, out, models, config='demo', processes=2):
    with open(os.path.join(root, 'ground-truth.json')) as f:
        truth = json.load(f)
    for m in models:
        os.makedirs(os.path.join(out, m, 'inputs'), exist_ok=True)
        os.makedirs(os.path.join(out, m, 'regions'), exist_ok=True)
    jobs = [(root, s, truth['width'], truth['height'], out, models, config) for s in truth['samples']]
    with multiprocessing.Pool(processes) as pool:
        results = pool.map(_prepare_sample, jobs)
    for m in models:
        with open(os.path.join(out, m, 'manifest.csv'), 'w', newline='') as f:
            writer = csv.DictWriter(f, MANIFEST_COLUMNS)
            writer.writeheader()
            writer.writerows(r[m] for r in results)
    return len(results)


def main():
    ap = argparse.ArgumentParser(description='Synthetic dataset -> per-model training sets (manifest + npy).')
    ap.add_argument('dataset', help='folder with ground-truth.json')
    ap.add_argument('out')
    ap.add_argument('--models', default=','.join(MODELS))
    ap.add_argument('--config', default='demo', choices=['paper', 'demo', 'tiny'])
    ap.add_argument('--processes', type=int, default=2)
    a = ap.parse_args()
    n = prepare(a.dataset, a.out, a.models.split(','), a.config, a.processes)
    print(f'prepared {n} samples for {a.models}')


if __name__ == '__main__':
    main()
