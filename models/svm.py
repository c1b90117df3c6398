"""Linear one-vs-rest SVM in numpy and its ONNX-ML SVMClassifier node.

Each class c gets w_c, b_c minimising 0.5 |w|^2 + C sum_i max(0, 1 - y_ic (w.x_i + b))^2
(squared hinge, y_ic = +1 for class c else -1) on standardised features, by
full-batch gradient descent with a fixed step. Standardisation is folded into
the weights so the exported node works on raw features: score_c = w'_c.x + b'_c.
"""
import numpy as np
import onnx
from onnx import helper


def fit_linear_ovr(features, labels, num_classes, c=1.0, steps=2000, lr=None):
    x = np.asarray(features, np.float64)
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / std
    n, d = z.shape
    lr = lr or 1.0 / (1.0 + 2 * c * n * (1 + d))  # below 1/L of the objective's gradient
    w = np.zeros((num_classes, d))
    b = np.zeros(num_classes)
    y = np.where(np.arange(num_classes)[None, :] == np.asarray(labels)[:, None], 1.0, -1.0)
    for _ in range(steps):
        margin = 1 - y * (z @ w.T + b)
        active = np.maximum(margin, 0) * y  # d/d(score) of the squared hinge, times -1/2
        grad_w = w - 2 * c * active.T @ z
        grad_b = -2 * c * active.sum(axis=0)
        w -= lr * grad_w
        b -= lr * grad_b
    w_raw = w / std
    b_raw = b - w_raw @ mean
    return w_raw.astype(np.float32), b_raw.astype(np.float32)


def decision_values(features, w, b):
    return np.asarray(features, np.float32) @ w.T + b


def append_svm_classifier(model, w, b, features_name='features', scores_name='logits', label_name='label'):
    """Add an ai.onnx.ml SVMClassifier (linear kernel, one weight row per class) + per-class offsets.

    onnxruntime's linear-mode SVMClassifier adds rho[0] to every class score, so
    the node gets rho = 0 and the per-class offsets b follow as an Add; the
    label is the ArgMax of the offset scores (the node's own label output is
    left internal)."""
    graph = model.graph
    num_classes = w.shape[0]
    graph.node.append(helper.make_node(
        'SVMClassifier', [features_name], ['svm_label_without_offsets', 'svm_scores_without_offsets'],
        domain='ai.onnx.ml', kernel_type='LINEAR', kernel_params=[0.0, 0.0, 0.0],
        coefficients=w.reshape(-1).tolist(), rho=[0.0], classlabels_ints=list(range(num_classes)),
        post_transform='NONE', name='svm'))
    graph.initializer.append(helper.make_tensor('svm_offsets', onnx.TensorProto.FLOAT, [num_classes], b.tolist()))
    graph.node.append(helper.make_node('Add', ['svm_scores_without_offsets', 'svm_offsets'], [scores_name],
                                       name='svm_offsets_add'))
    graph.node.append(helper.make_node('ArgMax', [scores_name], [label_name], axis=1, keepdims=0, name='svm_argmax'))
    graph.output.extend([helper.make_tensor_value_info(label_name, onnx.TensorProto.INT64, ['batch']),
                         helper.make_tensor_value_info(scores_name, onnx.TensorProto.FLOAT, ['batch', num_classes])])
    if not any(op.domain == 'ai.onnx.ml' for op in model.opset_import):
        model.opset_import.append(helper.make_opsetid('ai.onnx.ml', 1))
    return model
