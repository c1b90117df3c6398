"""Minimal ONNX reproducers for Off-TANet's divergence on onnxruntime's WebGPU provider: one Conv
node each (NCHW, float32, opset 17, seeded weights and bias), the shapes of Off-TANet's
`/model/block2/body/body.0/body.0.0/Conv` (3x3, 18 -> 28 channels, 28x28, pads 1) and neighbours.

    /usr/bin/python3 docs/webgpu-conv-repro/make_models.py OUT_DIR [CIN,COUT,SIZE,K ...]

Then `node docs/webgpu-conv-repro/compare.mjs OUT_DIR` runs each on CPU and WebGPU.
"""
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

DEFAULT = ["18,28,28,3", "16,28,28,3", "18,32,28,3", "20,28,28,3", "18,28,14,3", "18,28,56,3", "18,28,28,1", "8,18,56,3", "28,28,28,3"]


def conv_model(cin: int, cout: int, size: int, k: int, seed: int = 0) -> onnx.ModelProto:
    rng = np.random.default_rng(seed)
    # He-like scale, as a trained layer's weights.
    w = (rng.standard_normal((cout, cin, k, k)) * np.sqrt(2.0 / (cin * k * k))).astype(np.float32)
    b = (rng.standard_normal(cout) * 0.1).astype(np.float32)
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[k, k], pads=[k // 2] * 4, strides=[1, 1])
    graph = helper.make_graph(
        [node],
        f"conv_{cin}to{cout}_{size}x{size}_k{k}",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, cin, size, size])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, cout, size, size])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="me-studio webgpu repro")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for spec in sys.argv[2:] or DEFAULT:
        cin, cout, size, k = (int(v) for v in spec.split(","))
        path = out / f"conv_{cin}to{cout}_{size}x{size}_k{k}.onnx"
        onnx.save(conv_model(cin, cout, size, k), path)
        print(path)


if __name__ == "__main__":
    main()
