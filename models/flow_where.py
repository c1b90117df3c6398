"""Where the flow of the demo inputs sits, against the synthetic ground truth (models/README.md,
"Where the flow sits"). Needs a dataset from the studio's generator (`me-studio synth`), which writes
the ground-truth apex flow (`apexFlow`, Middlebury .flo at the frame size) beside each sample.

  /usr/bin/python3 -m models.flow_where /tmp/me-synth [--clips 24]

Per input size: the share of the ground-truth flow's magnitude inside the region mask (the masks'
registration), its peak, the share of the onset->apex TV-L1 flow's magnitude (preprocess.py's recipe)
inside the mask, its peak and how often the peak lies on the 2-px frame edge, the same with INTER_AREA
resizing, and with TV-L1 at 112x112 area-resized to the size. Diagnostic only; nothing here trains."""
import argparse
import json
import os

import cv2
import numpy as np

from . import preprocess as pp
from .prepare_synthetic import frame_files, region_mask

SIZES = (28, 48, 64, 112)


def _area(image, size):
    return np.clip(np.rint(cv2.resize(image.astype(np.float32), (size, size), interpolation=cv2.INTER_AREA)),
                   0, 255).astype(np.uint8)


def _share(magnitude, mask):
    return float(magnitude[mask > 0].sum() / magnitude.sum())


def measure(root, clips):
    with open(os.path.join(root, 'ground-truth.json')) as f:
        truth = json.load(f)
    width, height = truth['width'], truth['height']
    rows = {size: [] for size in SIZES}
    for s in truth['samples'][:clips]:
        folder = os.path.join(root, s['path'])
        files = frame_files(folder)[s['onsetIndex']:s['offsetIndex'] + 1]
        onset = pp.gray(cv2.imread(os.path.join(folder, files[0]), cv2.IMREAD_COLOR))
        apex = pp.gray(cv2.imread(os.path.join(folder, files[s['apexIndex'] - s['onsetIndex']]), cv2.IMREAD_COLOR))
        gt = cv2.readOpticalFlow(os.path.join(root, s['apexFlow']))
        big = pp.tvl1_flow(pp.resize(onset, (112, 112)), pp.resize(apex, (112, 112)))
        for size in SIZES:
            mask = region_mask(s, width, height, size)
            g = cv2.resize(gt, (size, size), interpolation=cv2.INTER_AREA) * size / width
            g = np.hypot(g[..., 0], g[..., 1])
            f = pp.tvl1_flow(pp.resize(onset, (size, size)), pp.resize(apex, (size, size)))
            f = np.hypot(f[0], f[1])
            y, x = np.unravel_index(f.argmax(), f.shape)
            a = pp.tvl1_flow(_area(onset, size), _area(apex, size))
            d = np.stack([cv2.resize(c, (size, size), interpolation=cv2.INTER_AREA) for c in big]) * size / 112
            rows[size].append([_share(g, mask), g.max(), _share(f, mask), mask.mean(), f.max(),
                               float(min(y, x, size - 1 - y, size - 1 - x) < 2), _share(np.hypot(*a), mask),
                               _share(np.hypot(*d), mask)])
    return {size: np.mean(r, axis=0) for size, r in rows.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('dataset', help="folder with the generator's ground-truth.json")
    ap.add_argument('--clips', type=int, default=24)
    a = ap.parse_args()
    cv2.setNumThreads(1)
    names = ['ground truth in mask', 'ground truth peak px', 'TV-L1 in mask', 'mask area', 'TV-L1 peak px',
             'peak on edge', 'TV-L1 (INTER_AREA) in mask', 'TV-L1@112 resized, in mask']
    for size, r in measure(a.dataset, a.clips).items():
        print(f'{size:4d}: ' + ', '.join(f'{n} {v:.3f}' for n, v in zip(names, r)))


if __name__ == '__main__':
    main()
