"""Pooled MEGC-style metrics: one confusion matrix over all predictions."""
import numpy as np


def confusion_matrix(y_true, y_pred, num_classes):
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        cm[int(t), int(p)] += 1
    return cm


def uf1_uar(cm):
    """UF1 = mean_c 2TP/(2TP+FP+FN); UAR = mean_c TP/N_c. Classes absent from
    both truth and prediction are skipped (their F1 and recall are undefined)."""
    tp = np.diag(cm).astype(float)
    fp = cm.sum(axis=0) - tp
    fn = cm.sum(axis=1) - tp
    n = cm.sum(axis=1)
    f1 = [2 * tp[c] / (2 * tp[c] + fp[c] + fn[c]) for c in range(len(tp)) if 2 * tp[c] + fp[c] + fn[c] > 0]
    recall = [tp[c] / n[c] for c in range(len(tp)) if n[c] > 0]
    return float(np.mean(f1)) if f1 else 0.0, float(np.mean(recall)) if recall else 0.0
