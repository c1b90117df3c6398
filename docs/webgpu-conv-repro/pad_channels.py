"""Export-side workaround for onnxruntime's WebGPU Conv bug (see docs/webgpu-offtanet-divergence.md):
every 2-D Conv that takes the buggy vec3 path (input channels a multiple of 3 but not of 4, more
than 3; output channels a multiple of 4; kernel larger than 1x1) gets its input zero-padded on
the channel axis to the next multiple of 4, and its weight zero-padded to match. The added
channels are zeros times zeros: the model computes exactly the same function (CPU outputs are
bit-identical or within float32 summation order), but WebGPU takes the vec4 path.

    /usr/bin/python3 docs/webgpu-conv-repro/pad_channels.py IN.onnx OUT.onnx
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


def takes_vec3_path(cin: int, cout: int, kernel: list[int]) -> bool:
    return cin > 3 and cin % 3 == 0 and cin % 4 != 0 and cout % 4 == 0 and any(k > 1 for k in kernel)


def pad_convs(model: onnx.ModelProto) -> list[str]:
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    padded = []
    nodes = []
    for node in graph.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        w = inits.get(node.input[1]) if node.op_type == "Conv" and len(node.input) > 1 else None
        if w is None or len(w.dims) != 4 or attrs.get("group", 1) != 1:
            nodes.append(node)
            continue
        cout, cin, kh, kw = w.dims
        if not takes_vec3_path(cin, cout, [kh, kw]):
            nodes.append(node)
            continue
        extra = 4 - cin % 4
        weights = numpy_helper.to_array(w)
        w.CopyFrom(numpy_helper.from_array(np.concatenate([weights, np.zeros((cout, extra, kh, kw), weights.dtype)], axis=1), w.name))
        pads_name = f"{node.name}/channel_pads"
        graph.initializer.append(numpy_helper.from_array(np.array([0, 0, 0, 0, 0, extra, 0, 0], np.int64), pads_name))
        padded_input = f"{node.input[0]}/padded_to_{cin + extra}"
        nodes.append(helper.make_node("Pad", [node.input[0], pads_name], [padded_input], name=f"{node.name}/ChannelPad", mode="constant"))
        node.input[0] = padded_input
        nodes.append(node)
        padded.append(f"{node.name}: {cin} -> {cin + extra} input channels")
    del graph.node[:]
    graph.node.extend(nodes)
    return padded


def main() -> None:
    model = onnx.load(sys.argv[1])
    for line in pad_convs(model):
        print(line)
    onnx.checker.check_model(model)
    onnx.save(model, sys.argv[2])


if __name__ == "__main__":
    main()
