#!/usr/bin/python3
"""The Python equivalent of `me-studio predict` for bench/pipeline.bench.ts.

usage: /usr/bin/python3 bench/python_pipeline.py DATASET_DIR MODEL.onnx MODEL.card.json OUT.csv [--torch]

For every sample of a synthetic dataset (its ground-truth.json: folder, onset and apex positions):
read the onset and apex frames with OpenCV, build the model input exactly as the models kit does
(models/preprocess.py onset_apex_flow_input: gray, bicubic resize to the card's size, or to its
flow.computeSize with the flow pooled back, native OpenCV DualTVL1 optical flow with its defaults,
optical strain, per-channel standardisation), run the
model, softmax, and write dataset/subject/sample/predicted/probabilities as CSV.

Inference runs the same ONNX file through OpenCV's DNN module (same weights, so predictions can be
compared with the studio's); with --torch it runs the architecture from models/ in PyTorch instead
(freshly initialised weights: the same computation, for timing only).

Prints one JSON line: {"samples": N, "seconds": S, "cpu_seconds": C (all threads), "samples_per_s": R, "inference": "...",
"cv_threads": T, "torch_threads": T}. The clock starts after imports, before the model is loaded,
and stops when the CSV is written (model load and file writing included, as on the studio side).
"""
import csv
import json
import os
import re
import sys
import time

import cv2
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from models import preprocess as pp  # noqa: E402


def frame_files(folder):
    files = [f for f in os.listdir(folder) if re.search(r'\d+\.(jpg|jpeg|png|bmp)$', f, re.I)]
    return sorted(files, key=lambda f: int(re.findall(r'\d+', f)[-1]))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    if len(args) != 4:
        sys.exit(__doc__)
    dataset, onnx_path, card_path, out = args
    use_torch = '--torch' in sys.argv
    with open(card_path) as f:
        card = json.load(f)
    if card['input']['kind'] != 'onset-apex-flow':
        sys.exit(f"this pipeline builds onset-apex-flow inputs; {card['id']} wants {card['input']['kind']}")
    size = card['preprocessing']['crop']['size'][0]
    variant = card['preprocessing']['strain']['variant']
    flow_size = (card['preprocessing']['flow'].get('computeSize') or [None])[0]
    with open(os.path.join(dataset, 'ground-truth.json')) as f:
        truth = json.load(f)

    if use_torch:  # imports are outside the clock, as on the studio side
        import torch
        from models.registry import MODELS
    started = time.perf_counter()
    cpu_started = time.process_time()
    if use_torch:
        spec = MODELS[card['architecture']]
        net = spec.build(spec.configs['demo']).eval()

        def infer(x):
            with torch.no_grad():
                return net(torch.from_numpy(x[None]))['logits'].numpy()[0]
    else:
        net = cv2.dnn.readNetFromONNX(onnx_path)
        logits_name = card['outputs']['logits']['name']

        def infer(x):
            net.setInput(x[None], card['input']['name'])
            return net.forward(logits_name)[0]

    rows = []
    for s in truth['samples']:
        folder = os.path.join(dataset, s['path'])
        files = frame_files(folder)
        onset = cv2.imread(os.path.join(folder, files[s['onsetIndex']]), cv2.IMREAD_COLOR)
        apex = cv2.imread(os.path.join(folder, files[s['apexIndex']]), cv2.IMREAD_COLOR)
        x = pp.onset_apex_flow_input(onset, apex, size, variant, flow_size)
        logits = infer(x).astype(np.float64)
        p = np.exp(logits - logits.max())
        p /= p.sum()
        rows.append([s['subject'], s['sample'], card['classes'][int(p.argmax())], *[f'{v:.6f}' for v in p]])
    with open(out, 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['subject', 'sample', 'predicted_label', *[f'p_{c}' for c in card['classes']]])
        w.writerows(rows)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    threads = {'cv_threads': cv2.getNumThreads()}
    if use_torch:
        threads['torch_threads'] = torch.get_num_threads()
    print(json.dumps({'samples': len(rows), 'seconds': seconds, 'cpu_seconds': cpu_seconds, 'samples_per_s': len(rows) / seconds,
                      'inference': 'pytorch (models/, fresh weights)' if use_torch else 'OpenCV DNN (same ONNX)', **threads}))


if __name__ == '__main__':
    main()
