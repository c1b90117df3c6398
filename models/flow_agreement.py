"""Diagnostic: why the kit's own preprocessing cannot stand in for the studio's export (issue #26).

On the generator's clips the onset -> apex flow is a few thousandths of a pixel at the input size;
there TV-L1's result depends on its stopping rule as much as on the motion. This prints, per
channel, the correlation of (1) OpenCV TV-L1 with its default epsilon 0.01 against the same with
0.005, and (2) with a studio training-set export (`me-studio export --what training-set --model
ststnet-demo`), the kit's preprocess.py input against the studio's for each sample.

  /usr/bin/python3 -m models.flow_agreement SYNTH_DIR [EXPORT_DIR [ARCHITECTURE, default ststnet; demo config]]"""
import csv
import json
import os
import sys

import cv2
import numpy as np

from . import preprocess as P
from .prepare_synthetic import frame_files
from .registry import MODELS


def _tvl1(a, b, epsilon):
    t = P._tvl1()
    t.setEpsilon(epsilon)
    return t.calc(a, b, None).transpose(2, 0, 1)


def _corr(x, y):
    return [float(np.corrcoef(x[c].ravel(), y[c].ravel())[0, 1]) for c in range(x.shape[0])]


def main(root, export_dir=None, architecture='ststnet'):
    with open(os.path.join(root, 'ground-truth.json')) as f:
        samples = {(s['subject'], s['sample']): s for s in json.load(f)['samples']}
    frames = {}
    for key, s in samples.items():
        folder = os.path.join(root, s['path'])
        files = frame_files(folder)[s['onsetIndex']:s['offsetIndex'] + 1]
        frames[key] = ([cv2.imread(os.path.join(folder, f), cv2.IMREAD_COLOR) for f in files], s['apexIndex'] - s['onsetIndex'])
    corr, size = [], []
    for clip, apex in frames.values():
        a, b = (P.resize(P.gray(clip[i]), (112, 112)) for i in (0, apex))
        f0, f1 = (P.pool_flow(_tvl1(a, b, e), 4) for e in (0.01, 0.005))
        corr.append(_corr(f0, f1))
        size.append([np.abs(f0).mean(), np.abs(f0 - f1).mean()])
    print(f'OpenCV TV-L1, epsilon 0.01 vs 0.005, 112 px pooled to 28: median correlation u, v '
          f'{np.round(np.median(corr, 0), 3).tolist()}, min {np.round(np.min(corr, 0), 3).tolist()}; median |flow| '
          f'{np.median(size, 0)[0]:.4f} px, median |difference| {np.median(size, 0)[1]:.4f} px ({len(corr)} clips)')
    if export_dir:
        spec = MODELS[architecture]
        cfg = spec.configs['demo']
        corr = []
        with open(os.path.join(export_dir, 'manifest.csv'), newline='') as f:
            for row in csv.DictReader(f):
                clip, apex = frames[(row['subject'], row['sample'])]
                corr.append(_corr(spec.make_input(clip, apex, cfg), np.load(os.path.join(export_dir, row['input']))))
        print(f'{architecture} kit preprocess.py vs studio export: median correlation per channel '
              f'{np.round(np.median(corr, 0), 3).tolist()}, min {np.round(np.min(corr, 0), 3).tolist()} ({len(corr)} samples)')


if __name__ == '__main__':
    main(*sys.argv[1:4])
