#!/usr/bin/python3
"""Native OpenCV TV-L1 on one frame pair, for bench/tvl1.bench.ts and the integration test.

usage: /usr/bin/python3 bench/opencv_tvl1.py I0.png I1.png OUT.flo [REPEATS] [THREADS] [PARAMS_JSON]

Runs cv2.optflow.DualTVL1OpticalFlow with OpenCV's defaults (or the parameters in PARAMS_JSON,
keys: tau lambda theta nscales warps epsilon innerIterations outerIterations scaleStep gamma
medianFiltering), REPEATS times (default 3), writes the flow of the last run as Middlebury .flo
and prints one JSON line: {"ms": [wall ms per run], "cpu_ms": [CPU ms per run, all threads],
"width": W, "height": H, "threads": T}.
THREADS = 0 keeps OpenCV's default thread count.
"""
import json
import sys
import time

import cv2
import numpy as np


def main() -> None:
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    i0 = cv2.imread(sys.argv[1], cv2.IMREAD_GRAYSCALE)
    i1 = cv2.imread(sys.argv[2], cv2.IMREAD_GRAYSCALE)
    if i0 is None or i1 is None:
        sys.exit("cannot read the input images")
    out = sys.argv[3]
    repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    threads = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    params = json.loads(sys.argv[6]) if len(sys.argv) > 6 else {}
    if threads > 0:
        cv2.setNumThreads(threads)

    tvl1 = cv2.optflow.DualTVL1OpticalFlow_create(
        tau=params.get("tau", 0.25),
        lambda_=params.get("lambda", 0.15),
        theta=params.get("theta", 0.3),
        nscales=params.get("nscales", 5),
        warps=params.get("warps", 5),
        epsilon=params.get("epsilon", 0.01),
        innnerIterations=params.get("innerIterations", 30),
        outerIterations=params.get("outerIterations", 10),
        scaleStep=params.get("scaleStep", 0.8),
        gamma=params.get("gamma", 0.0),
        medianFiltering=params.get("medianFiltering", 5),
    )
    times = []
    cpu = []
    flow = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        c0 = time.process_time()
        flow = tvl1.calc(i0, i1, None)
        cpu.append((time.process_time() - c0) * 1000.0)
        times.append((time.perf_counter() - t0) * 1000.0)

    h, w = flow.shape[:2]
    with open(out, "wb") as f:
        np.array([202021.25], dtype="<f4").tofile(f)
        np.array([w, h], dtype="<i4").tofile(f)
        flow.astype("<f4").tofile(f)
    print(json.dumps({"ms": times, "cpu_ms": cpu, "width": w, "height": h, "threads": cv2.getNumThreads()}))


if __name__ == "__main__":
    main()
