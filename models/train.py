"""Training kit: subject-grouped cross-validation on a studio training-set
export (manifest.csv + .npy inputs, format in models/README.md), pooled
UF1/UAR over all folds, per-fold numbers, and ONNX + model card export of the
per-fold and all-data models.

  /usr/bin/python3 -m models.train --model off_tanet --data EXPORT_DIR --out OUT_DIR

--config paper (the default) also takes the paper's training recipe from models/fidelity.py: its split
(loso, loso-mean = LOSO with the figures averaged per fold, leave-one-sample-out, group-kfold[-mean]:K),
augmentation, optimiser, learning rate, batch size and epochs; --protocol, --augment, --optimiser, --lr,
--batch-size and --epochs override it, and the report and the card say which was used. The epoch count is fixed in advance (--epochs); test folds are never used to
pick epochs or any other setting."""
import argparse
import csv
import json
import multiprocessing
import os
import pickle
import time
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F

from . import augment, export, fidelity, preprocess as pp, svm
from .metrics import confusion_matrix, uf1_uar
from .registry import CLASS_SETUPS, MODELS, class_setup, num_classes

DEFAULT_EPOCHS = {'off_tanet': 40, 'ststnet': 60, 'cbamnet': 25, 'astnet': 25, 'ms3d_resnet': 25, 'ast_svmnet': 30}
KIT_RECIPE = {'protocol': 'loso', 'optimiser': 'adam', 'lr': 1e-3, 'batch_size': 16, 'epochs': None, 'augmentation': '',
              'classes': 'megc3'}


class Optimisation(NamedTuple):
    """How train_model optimises: Adam or SGD (with momentum), weight decay, and the training-fold augmentation
    (models/augment.py kinds)."""
    optimiser: str = 'adam'
    momentum: float = 0.9
    weight_decay: float = 1e-4
    augmentation: tuple = ()


def training_recipe(key, config, overrides):
    """The settings a run uses: the paper's recipe (models/fidelity.py) for the paper config, the kit's defaults
    otherwise, then every override that is not None. Returns (recipe, source, names overridden)."""
    base = {'momentum': 0.9, 'weight_decay': 1e-4,
            **(fidelity.FIDELITY[key]['recipe'] if config == 'paper' else KIT_RECIPE)}
    base['augmentation'] = augment.parse(base['augmentation']) if isinstance(base['augmentation'], str) else base['augmentation']
    changed = [k for k, v in overrides.items() if v is not None and v != base[k]]
    recipe = {**base, **{k: overrides[k] for k in changed}}
    if recipe['epochs'] is None:
        recipe['epochs'] = DEFAULT_EPOCHS[key]
    source = "the paper's recipe (models/fidelity.py)" if config == 'paper' else "the kit's defaults"
    return recipe, source, changed


def load_init(path, own, adapt=None):
    """The entries of the state dict at `path` (renamed by `adapt`, the model's ModelSpec.adapt_init, e.g.
    torchvision's ResNet-18 names for ASTNet's trunk) whose name and shape match the model's (`own`); refuses a
    file that matches nothing (a wrong file would otherwise train from scratch unnoticed)."""
    try:
        state = torch.load(path, map_location='cpu', weights_only=True)
    except (OSError, RuntimeError, ValueError, pickle.UnpicklingError) as e:
        raise SystemExit(f'--init {path}: not a readable torch state dict ({e})') from None
    if not isinstance(state, dict):
        raise SystemExit(f'--init {path}: not a state dict (a {type(state).__name__})')
    if adapt:
        state = adapt(state)
    usable = {k: v for k, v in state.items() if k in own and getattr(v, 'shape', None) == own[k].shape}
    if not usable:
        raise SystemExit(f'--init {path}: no entry matches a parameter of the model by name and shape')
    print(f'--init: {len(usable)} of the model\'s {len(own)} tensors from {path}')
    return usable


def split_protocol(protocol):
    """'loso-mean' -> ('loso', 'per-fold mean'); 'group-kfold-mean:K' -> ('group-kfold:K', 'per-fold mean');
    anything else is pooled (one confusion matrix over every held-out prediction)."""
    if protocol == 'loso-mean':
        return 'loso', 'per-fold mean'
    if protocol.startswith('group-kfold-mean:'):
        return 'group-kfold:' + protocol.split(':', 1)[1], 'per-fold mean'
    return protocol, 'pooled'


def load_manifest(data_dir, setup=CLASS_SETUPS['megc3']):
    """Rows whose label the class setup (registry.CLASS_SETUPS) maps to one of its classes; each gets the class
    index, the loaded input and the (optional) region mask."""
    rows, skipped = [], 0
    classes, labels = setup['classes'], setup['labels']
    with open(os.path.join(data_dir, 'manifest.csv'), newline='') as f:
        for row in csv.DictReader(f):
            label = labels.get(row['label'].strip().lower())
            if label is None:
                skipped += 1
                continue
            row['x'] = np.load(os.path.join(data_dir, row['input'])).astype(np.float32)
            region = row.get('region')
            row['mask'] = np.load(os.path.join(data_dir, region)) if region else None
            row['y'] = classes.index(label)
            rows.append(row)
    return rows, skipped


def own_inputs_note(description):
    """The card's note for a model trained on inputs the kit did not build (models.train --own-inputs)."""
    return (f'Trained and cross-validated on inputs computed outside the kit and the studio ({description}). The '
            "card's preprocessing is the kit's recipe of the same shape, which the studio computes at inference: "
            "the studio's predictions are on those inputs, not on the training ones, and its figures are not this "
            "model's.")


def recipe_essentials(pre):
    """What in a card's preprocessing block decides the input tensor (prose, steps and references left out)."""
    size = list(pre['crop']['size'])
    flow, mag = pre.get('flow'), pre.get('magnification')
    return {
        'frames': [pre['frames']['selection'], pre['frames']['temporalLength'], pre['frames']['temporalInterpolation']],
        'crop': [pre['crop']['method'], pre['crop']['alignment'], size, pre['crop']['interpolation'], pre['crop']['colour']],
        'magnification': mag and [mag['method'], mag['alpha'], mag.get('sigma')],
        'flow': flow and [flow['method'], flow['reference'], flow['params'], list(flow.get('computeSize') or size)],
        'strain': pre.get('strain') and pre['strain']['variant'],
        'isdf': bool(pre.get('isdf')),
        'normalisation': pre['normalisation'],
    }


def recipe_differences(data_dir, spec, cfg):
    """Where the recipe a studio training-set export was built with (its training-set.json, when it
    records one) differs from the recipe the chosen config's card will declare. Inputs of the same
    shape can come from different recipes (e.g. flow computed at 28 or pooled from 112); a card that
    declared another recipe than the training inputs had would make the studio build other inputs."""
    path = os.path.join(data_dir, 'training-set.json')
    if not os.path.exists(path):
        return []
    with open(path) as f:
        exported = json.load(f).get('preprocessing')
    if not exported:
        return []
    have, want = recipe_essentials(exported), recipe_essentials(spec.preprocessing(cfg))
    return [f'{key}: export {json.dumps(have[key])}, config {json.dumps(want[key])}' for key in have if have[key] != want[key]]


def check_protocol(protocol):
    base = split_protocol(protocol)[0]
    k = base.split(':', 1)[1] if base.startswith('group-kfold:') else None
    if base not in ('loso', 'leave-one-sample-out') and not (k and k.isdigit() and int(k) >= 2):
        raise ValueError(f'unknown protocol {protocol!r} (loso, loso-mean, leave-one-sample-out, group-kfold:K, '
                         'group-kfold-mean:K with K >= 2)')


def make_folds(rows, protocol):
    """List of (fold name, test indices). LOSO groups by (dataset, subject); group-kfold:K
    deals the sorted groups round-robin into K folds; leave-one-sample-out holds out one sample
    per fold (MS-3D-ResNet's protocol). The -mean variants split as their base protocol."""
    check_protocol(protocol)
    protocol = split_protocol(protocol)[0]
    if protocol == 'leave-one-sample-out':
        return [(f"{r['dataset']}/{r['subject']}/{r.get('sample', i)}", [i]) for i, r in enumerate(rows)]
    groups = sorted({(r['dataset'], r['subject']) for r in rows})
    if protocol == 'loso':
        parts = [[g] for g in groups]
    else:
        k = int(protocol.split(':')[1])
        parts = [groups[i::k] for i in range(k)]
    folds = []
    for part in parts:
        members = set(part)
        test = [i for i, r in enumerate(rows) if (r['dataset'], r['subject']) in members]
        folds.append(('+'.join(f'{d}/{s}' for d, s in part), test))
    return folds


def classification_loss(out, y):
    if 'head_logits' in out:  # MS-3D-ResNet: every head learns; the discriminator picks at inference
        heads = out['head_logits']
        return sum(F.cross_entropy(heads[:, h], y) for h in range(heads.shape[1]))
    return F.cross_entropy(out['logits'], y)


class AttentionTraining(NamedTuple):
    """Optional attention settings: weights of the terms added to the classification loss (0 = off; sparsity and
    sufficiency are unsupervised, supervision uses the training samples' region masks), and a learning-rate
    factor for the attention gates' parameters."""
    sparsity: float = 0.0
    sufficiency: float = 0.0
    supervision: float = 0.0
    gate_lr_scale: float = 1.0

    def any(self):
        return bool(self.sparsity or self.sufficiency or self.supervision or self.gate_lr_scale != 1.0)


def attention_gate_parameters(model):
    """Names of the parameters of the spatial and temporal attention gates: modules named `spatial` or `temporal`
    (CBAM's and the papers' gate convs in every model here; only MS-3D-ResNet has a temporal one)."""
    return {n for n, _ in model.named_parameters() if {'spatial', 'temporal'} & set(n.split('.'))}


def attention_sparsity_penalty(spec, out):
    """Unsupervised sparsity term on the displayed attention map (no region masks involved): its entropy
    after normalising it to sum 1 per sample, divided by log(h*w), batch mean (0 = all mass in one
    place, 1 = uniform). Scale-free, so it concentrates sigmoid and softmax maps alike without pushing
    the whole map towards 0."""
    p = spec.display_map_torch(out).clamp_min(0).flatten(1)
    p = (p / p.sum(1, keepdim=True).clamp_min(1e-12)).clamp_min(1e-12)
    return (-(p * p.log()).sum(1) / np.log(p.shape[1])).mean()


def region_targets(masks, size):
    """Region masks [N, H, W] (input size) as the share of each cell of an h x w attention grid that the region
    covers (area averaging; H, W multiples of h, w or not)."""
    return F.adaptive_avg_pool2d(masks[:, None].float(), size)[:, 0]


def attention_supervision_loss(spec, out, masks):
    """Supervised term (the region must be known: synthetic data): KL divergence from the region's cover of each
    map cell to the displayed attention map, both normalised to sum 1, batch mean (the saliency-prediction loss).
    Scale-free, it only asks where the map's mass lies; a per-cell binary cross-entropy let the bias-free gates
    sink everywhere, the moving region most (models/README.md). Held-out samples are scored without masks."""
    att = spec.display_map_torch(out)
    target = region_targets(masks, att.shape[-2:]).flatten(1)
    target = target / target.sum(1, keepdim=True).clamp_min(1e-12)
    att = att.clamp_min(0).flatten(1)
    p = att / att.sum(1, keepdim=True).clamp_min(1e-12)
    return (target * (target.clamp_min(1e-12).log() - p.clamp_min(1e-12).log())).sum(1).mean()


def attended_input(spec, x, out):
    """x multiplied by the displayed attention map (resized bilinearly to the input, divided by its
    per-sample maximum), the same mask for every channel and frame."""
    att = spec.display_map_torch(out).clamp_min(0)[:, None]
    mask = F.interpolate(att, size=x.shape[-2:], mode='bilinear', align_corners=False)
    mask = mask / mask.flatten(1).amax(1).clamp_min(1e-6)[:, None, None, None]
    return x * (mask[:, :, None] if x.dim() == 5 else mask)


def _batchnorm_state(model):
    return [(m, m.running_mean.clone(), m.running_var.clone(), m.num_batches_tracked.clone())
            for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]


def _restore_batchnorm(state):
    with torch.no_grad():
        for m, mean, var, n in state:
            m.running_mean.copy_(mean)
            m.running_var.copy_(var)
            m.num_batches_tracked.copy_(n)


def train_model(spec, cfg, x, y, epochs, batch_size, lr, seed, attention=AttentionTraining(), masks=None,
                optimisation=Optimisation(), init=None):
    """masks ([N, H, W] region masks) are needed only for attention.supervision; init: a state dict the
    model starts from (e.g. ImageNet / CK+ weights): entries that match by name and shape (load_init)."""
    if attention.any() and not spec.display_map_torch:
        raise ValueError(f'{spec.key} has no spatial attention map for the attention terms')
    if attention.supervision and masks is None:
        raise ValueError('attention supervision needs a region mask for every training sample')
    if attention.supervision and optimisation.augmentation:
        raise ValueError('attention supervision and augmentation together: the region masks would not follow')
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x, y = augment.augment(x, y, spec.channels, optimisation.augmentation, seed)
    model = spec.build(cfg)
    if init is not None:
        model.load_state_dict(init, strict=False)
    # A gate conv has ~100 weights that Adam moves by at most ~lr per step; with the few hundred steps of a small
    # training set they hardly leave their initial values unless their learning rate is raised (models/README.md).
    gates = attention_gate_parameters(model)
    groups = [{'params': [p for n, p in model.named_parameters() if n not in gates]},
              {'params': [p for n, p in model.named_parameters() if n in gates], 'lr': lr * attention.gate_lr_scale}]
    if optimisation.optimiser == 'sgd':
        opt = torch.optim.SGD(groups, lr=lr, momentum=optimisation.momentum, weight_decay=optimisation.weight_decay)
    else:
        opt = torch.optim.Adam(groups, lr=lr, weight_decay=optimisation.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(1, epochs))
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    mt = torch.from_numpy(np.asarray(masks, np.float32)) if attention.supervision else None
    for _ in range(epochs):
        model.train()
        order = rng.permutation(len(x))
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            if len(idx) < 2:  # BatchNorm needs two samples
                continue
            out = model(xt[idx])
            loss = classification_loss(out, yt[idx])
            if attention.sparsity:
                loss = loss + attention.sparsity * attention_sparsity_penalty(spec, out)
            if attention.supervision:
                loss = loss + attention.supervision * attention_supervision_loss(spec, out, mt[idx])
            bn_state = None
            if attention.sufficiency:
                # the attended input alone must still give the class; that pass leaves BatchNorm statistics alone
                bn_state = _batchnorm_state(model)
                loss = loss + attention.sufficiency * classification_loss(
                    model(attended_input(spec, xt[idx], out)), yt[idx])
            opt.zero_grad()
            loss.backward()
            if bn_state:
                _restore_batchnorm(bn_state)
            opt.step()
        sched.step()
    model.eval()
    svm_weights = None
    if spec.key == 'ast_svmnet':
        svm_weights = svm.fit_linear_ovr(predict_outputs(model, x)['features'], y, num_classes(cfg))
    return model, svm_weights


@torch.no_grad()
def predict_outputs(model, x, batch_size=16):
    model.eval()
    parts = [model(torch.from_numpy(x[i:i + batch_size])) for i in range(0, len(x), batch_size)]
    return {k: torch.cat([p[k] for p in parts]).numpy() for k in parts[0]}


def class_probabilities(spec, out, svm_weights):
    """Softmax of the class scores (of the SVM's decision values for AST+SVMNet), as the studio reports them."""
    scores = svm.decision_values(out['features'], *svm_weights) if spec.key == 'ast_svmnet' else out['logits']
    return torch.softmax(torch.as_tensor(np.asarray(scores, np.float64)), dim=1).numpy()


def write_predictions(path, rows, held_out, model_id, classes):
    """Per held-out sample of the cross-validation: its fold, coded and predicted class and the PyTorch class
    probabilities, for comparison with the studio's predictions of the per-fold models on the same samples."""
    with open(path, 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['dataset', 'subject', 'sample', 'fold', 'model_id', 'coded_class', 'predicted_label',
                    *(f'p_{c}' for c in classes)])
        for i, k, pred, p in held_out:
            r = rows[i]
            w.writerow([r['dataset'], r['subject'], r.get('sample', ''), k, f'{model_id}-fold{k}', r['label'],
                        classes[pred], *(f'{v:.6f}' for v in p)])


def predictions(spec, out, svm_weights):
    if spec.key == 'ast_svmnet':
        return svm.decision_values(out['features'], *svm_weights).argmax(axis=1)
    return out['logits'].argmax(axis=1)


def attention_mass_in_region(maps, masks, shift_min=False):
    """Per sample: bilinearly upsample the 2-D display map [h, w] (rows = y, columns = x) to the mask
    size with pixel-centre alignment (align_corners=False, as the studio's resizeMapBilinear), normalise
    it to sum 1 and sum it inside the region mask. shift_min subtracts the upsampled map's minimum first,
    as the studio's attentionMassInRegions does (a sigmoid baseline then does not count).
    Returns (masses, region area fractions)."""
    masses, areas = [], []
    for attention, mask in zip(maps, masks):
        up = F.interpolate(torch.from_numpy(np.asarray(attention, np.float32))[None, None], size=mask.shape,
                           mode='bilinear', align_corners=False)[0, 0].numpy().astype(np.float64)
        up = up - up.min() if shift_min else np.clip(up, 0, None)
        total = up.sum()
        masses.append(float((up * mask).sum() / total) if total > 0 else float(mask.mean()))  # flat map = uniform
        areas.append(float(mask.mean()))
    return masses, areas


def apex_step(onset, apex, offset, input_frames, map_steps):
    """The step of a per-frame map (S steps) that shows the apex: sequence inputs resample the clip frames
    onset..offset to input_frames frames at i (n-1)/(T-1) (preprocess.temporal_normalise), so the apex is
    nearest input frame (apex-onset)(T-1)/(offset-onset), rounded half up; a map pooled over time covers
    T/S input frames per step. The studio's apexStep (src/shared/inference/attention.ts) is the same formula."""
    frame = int(np.floor((apex - onset) * (input_frames - 1) / (offset - onset) + 0.5))
    return min(map_steps - 1, frame * map_steps // input_frames)


def apex_frame_maps(spec, out, rows, input_frames):
    """Per sample: the map at the apex step of spec.frame_maps, or None without a usable apex in the manifest."""
    steps = spec.frame_maps(out)
    maps = []
    for i, r in enumerate(rows):
        try:
            onset, apex, offset = int(r['onset']), int(r['apex']), int(r['offset'])
        except (KeyError, TypeError, ValueError):
            maps.append(None)
            continue
        usable = onset <= apex <= offset and offset > onset
        maps.append(steps[i, apex_step(onset, apex, offset, input_frames, steps.shape[1])] if usable else None)
    return maps


_FORKED = {}  # what train_runs' forked workers inherit instead of receiving it pickled


def _train_run(run):
    f, (train, seed) = _FORKED, run
    torch.set_num_threads(f['threads'])
    t0 = time.time()
    model, svm_weights = train_model(f['spec'], f['cfg'], f['x'][train], f['y'][train], f['epochs'], f['batch_size'],
                                     f['lr'], seed, f['attention'], None if f['masks'] is None else f['masks'][train],
                                     f['optimisation'], f['init'])
    return model, svm_weights, time.time() - t0


def train_runs(runs, spec, cfg, x, y, masks, epochs, batch_size, lr, attention, optimisation, init, jobs=1):
    """train_model for each (training indices, seed) of `runs`, in `jobs` forked processes at once (each with
    the thread count torch has here); every run is seeded, so the models do not depend on `jobs`.
    Returns [(model, svm_weights, seconds)]."""
    _FORKED.update(spec=spec, cfg=cfg, x=x, y=y, masks=masks, epochs=epochs, batch_size=batch_size, lr=lr,
                   attention=attention, optimisation=optimisation, init=init, threads=torch.get_num_threads())
    try:
        if jobs <= 1 or len(runs) <= 1:
            return [_train_run(r) for r in runs]
        with multiprocessing.get_context('fork').Pool(min(jobs, len(runs))) as pool:
            return pool.map(_train_run, runs, chunksize=1)
    finally:
        _FORKED.clear()


def cross_validate(spec, cfg, rows, protocol, epochs, batch_size, lr, seed, log=print, attention=AttentionTraining(),
                   optimisation=Optimisation(), init=None, jobs=1, final_seed=None):
    """Trains and scores every fold; with final_seed, also the model on all samples (alongside the folds when
    jobs > 1). Returns (report, [(model, svm_weights)] per fold, (x, y, masks), the final (model, svm_weights)
    or None)."""
    x = np.stack([r['x'] for r in rows])
    y = np.array([r['y'] for r in rows], np.int64)
    masks = np.stack([r['mask'] for r in rows]) if attention.supervision else None
    all_true, all_pred, fold_reports, masses, areas, shifted, fold_models = [], [], [], [], [], [], []
    apex_masses, held_out = [], []
    folds = make_folds(rows, protocol)
    runs = [(np.setdiff1d(np.arange(len(rows)), test), seed + k) for k, (_, test) in enumerate(folds)]
    if final_seed is not None:
        runs.append((np.arange(len(rows)), final_seed))
    trained = train_runs(runs, spec, cfg, x, y, masks, epochs, batch_size, lr, attention, optimisation, init, jobs)
    for k, (name, test) in enumerate(folds):
        model, svm_weights, seconds = trained[k]
        out = predict_outputs(model, x[test])
        pred = predictions(spec, out, svm_weights)
        cm = confusion_matrix(y[test], pred, num_classes(cfg))
        uf1, uar = uf1_uar(cm)
        fold_reports.append({'fold': k, 'test': name, 'n': len(test), 'uf1': uf1, 'uar': uar,
                             'accuracy': float((pred == y[test]).mean()), 'seconds': round(seconds, 1)})
        log(f'fold {k} [{name}] n={len(test)} UF1={uf1:.3f} UAR={uar:.3f} acc={fold_reports[-1]["accuracy"]:.3f}')
        all_true += y[test].tolist()
        all_pred += pred.tolist()
        probabilities = class_probabilities(spec, out, svm_weights)
        held_out += [(t, k, int(pred[i]), probabilities[i]) for i, t in enumerate(test)]
        if spec.display_map:
            correct = [i for i, t in enumerate(test) if pred[i] == y[t] and rows[t]['mask'] is not None]
            maps = spec.display_map(out)
            m, a = attention_mass_in_region([maps[i] for i in correct], [rows[test[i]]['mask'] for i in correct])
            masses += m
            areas += a
            shifted += attention_mass_in_region([maps[i] for i in correct], [rows[test[i]]['mask'] for i in correct],
                                                shift_min=True)[0]
            if spec.frame_maps:
                at_apex = apex_frame_maps(spec, out, [rows[t] for t in test], x.shape[2])
                usable = [i for i in correct if at_apex[i] is not None]
                apex_masses += attention_mass_in_region([at_apex[i] for i in usable],
                                                        [rows[test[i]]['mask'] for i in usable])[0]
        fold_models.append((model, svm_weights))
    cm = confusion_matrix(all_true, all_pred, num_classes(cfg))
    uf1, uar = uf1_uar(cm)
    report = {'protocol': protocol, 'averaging': split_protocol(protocol)[1],
              'pooled': {'uf1': uf1, 'uar': uar, 'confusion': cm.tolist(), 'accuracy': float(np.trace(cm) / cm.sum())},
              'folds': fold_reports, 'classes': list(class_setup(cfg)['classes']), 'heldOut': sorted(held_out, key=lambda h: h[0])}
    if report['averaging'] == 'per-fold mean':
        report['foldMean'] = {m: float(np.mean([f[m] for f in fold_reports])) for m in ('uf1', 'uar', 'accuracy')}
    if masses:
        report['attention'] = {'meanMassInRegion': float(np.mean(masses)), 'fractionAbove50': float(np.mean(np.array(masses) > 0.5)),
                               'meanRegionArea': float(np.mean(areas)), 'samples': len(masses),
                               'meanMassInRegionMinShifted': float(np.mean(shifted)),
                               'fractionAbove50MinShifted': float(np.mean(np.array(shifted) > 0.5))}
        if apex_masses:
            report['attention'].update({'meanMassAtApex': float(np.mean(apex_masses)),
                                        'fractionAbove50AtApex': float(np.mean(np.array(apex_masses) > 0.5)),
                                        'samplesAtApex': len(apex_masses)})
    final = trained[-1][:2] if final_seed is not None else None
    return report, fold_models, (x, y, masks), final


def metrics_for_card(report, data_desc, display):
    p = report['pooled']
    how = (f"Pooled over all {len(report['folds'])} {report['protocol']} folds (one confusion matrix of every "
           f"held-out prediction, subjects grouped by (dataset, subject)) on {data_desc}; fixed epoch count, no "
           'selection on test folds.')
    metrics = [{'name': 'UF1', 'value': round(p['uf1'], 4), 'howComputed': how + ' F1_c = 2TP/(2TP+FP+FN), mean over classes.'},
               {'name': 'UAR', 'value': round(p['uar'], 4), 'howComputed': how + ' recall_c = TP/N_c, mean over classes.'},
               {'name': 'accuracy', 'value': round(p['accuracy'], 4), 'howComputed': how}]
    if 'foldMean' in report:  # the paper's averaging, beside the pooled figures the studio reports
        mean_how = (f"Unweighted mean over the {len(report['folds'])} {report['protocol']} folds of each fold's own "
                    f'figure (the paper\'s averaging) on {data_desc}.')
        metrics += [{'name': f'{label} (per-fold mean)', 'value': round(report['foldMean'][key], 4), 'howComputed': mean_how}
                    for label, key in (('UF1', 'uf1'), ('UAR', 'uar'), ('accuracy', 'accuracy'))]
    if 'attention' in report:
        a = report['attention']
        region = ('the union of the moving regions\' +-2 sigma boxes from the synthetic ground truth, scaled to '
                  'the input size')
        metrics += [
            {'name': 'attention mass in moving region', 'value': round(a['meanMassInRegion'], 4),
             'howComputed': f"Mean over the {a['samples']} correctly classified held-out samples of: the 2-D "
                            f'attention map the card displays ({display}), bilinearly resized to the input size, '
                            f'normalised to sum 1, summed inside {region}.'},
            {'name': 'share of samples with > 50% attention mass in region', 'value': round(a['fractionAbove50'], 4),
             'howComputed': 'Same samples and mass as above; fraction whose mass exceeds 0.5.'},
            {'name': 'moving region area fraction (chance level of the mass)', 'value': round(a['meanRegionArea'], 4),
             'howComputed': 'Mean fraction of the input covered by the region mask over the same samples; a '
                            'uniform attention map would put this much mass inside.'}]
        if 'meanMassInRegionMinShifted' in a:
            metrics += [
                {'name': 'attention mass in moving region, map minus its minimum (studio measure)',
                 'value': round(a['meanMassInRegionMinShifted'], 4),
                 'howComputed': 'As the attention mass above, but the resized map minus its minimum is normalised, '
                                "as the studio's attention overlay measures it (attentionMassInRegions): a sigmoid "
                                'baseline does not count.'},
                {'name': 'share of samples with > 50% attention mass in region (studio measure)',
                 'value': round(a['fractionAbove50MinShifted'], 4),
                 'howComputed': 'Same samples; fraction whose minimum-shifted mass exceeds 0.5.'}]
        if 'meanMassAtApex' in a:
            metrics += [
                {'name': 'attention mass in moving region at the apex frame', 'value': round(a['meanMassAtApex'], 4),
                 'howComputed': f"As the attention mass above, over the {a['samplesAtApex']} correctly classified "
                                'held-out samples with an apex, but of the map at the apex instead of the mean over '
                                'frames: the frame (or time slice) holding the input frame nearest the apex, as the '
                                "studio's Inspect view shows it ('apex frame'). Frames before and after the movement "
                                'show no moving region, so their maps are left out.'},
                {'name': 'share of samples with > 50% attention mass in region at the apex frame',
                 'value': round(a['fractionAbove50AtApex'], 4),
                 'howComputed': 'Same samples and mass as above; fraction whose mass exceeds 0.5.'}]
    return metrics


def export_model(spec, cfg, model, svm_weights, out_dir, model_id, name, demo, training, metrics, notes, config_name,
                 fixture_dir=None):
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f'{model_id}.onnx')
    export.export_onnx(model, spec, cfg, path, svm_weights)
    card = export.build_card(spec, cfg, model, path, model_id=model_id, name=name, version='1.0.0', demo=demo,
                             training=training, metrics=metrics, notes=notes, config_name=config_name,
                             svm_weights=svm_weights)
    export.write_reference(model, spec, cfg, card, out_dir, svm_weights)
    export.validate_card(card)
    export.write_card(card, os.path.join(out_dir, f'{model_id}.card.json'))
    if fixture_dir:
        export.write_parity_fixture(model, spec, cfg, model_id, fixture_dir, svm_weights)
    return card


def save_weights(path, spec, cfg, model, svm_weights):
    """The PyTorch weights of an exported model (with the run's results, not beside the ONNX file: the demo
    builds export into resources/models), so a researcher can load the very model the ONNX file holds."""
    torch.save({'state_dict': model.state_dict(), 'svm': svm_weights, 'architecture': spec.key, 'config': cfg}, path)


def attention_training_text(attention):
    """How the optional attention settings entered the training, for the card's training details."""
    parts = []
    if attention.sparsity:
        parts.append(f'{attention.sparsity} x entropy of the displayed attention map normalised to sum 1 (divided by log '
                     'of its size)')
    if attention.sufficiency:
        parts.append(f'{attention.sufficiency} x cross-entropy of the model on its input multiplied by its own displayed '
                     'attention map (bilinearly resized, divided by its maximum; BatchNorm statistics untouched by '
                     'that pass)')
    text = ('; unsupervised attention terms added to the loss (no region masks used): ' + ' + '.join(parts)) if parts else ''
    if attention.supervision:
        text += (f'; SUPERVISED attention: {attention.supervision} x KL divergence from the training samples\' region '
                 "masks (area-averaged to the map's grid, normalised to sum 1) to the displayed attention map "
                 '(normalised to sum 1). The map was taught where the region is, so the attention check on held-out '
                 'subjects shows that the learned gate finds it on unseen clips and that the exported tensor lines up '
                 'with the input, not that the architecture discovers it unaided')
    if attention.gate_lr_scale != 1.0:
        text += (f"; the attention gates' parameters (spatial and temporal gate convs) train at "
                 f'{attention.gate_lr_scale} x the learning rate')
    return text


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--model', required=True, choices=list(MODELS))
    ap.add_argument('--data', required=True, help='training-set export folder with manifest.csv')
    ap.add_argument('--protocol', help="loso, loso-mean, leave-one-sample-out, group-kfold:K or group-kfold-mean:K "
                                       "(default: the paper's for --config paper, else loso)")
    ap.add_argument('--config', default='paper', choices=['paper', 'demo', 'tiny'],
                    help="architecture size; 'paper' also takes the paper's training recipe (models/fidelity.py)")
    ap.add_argument('--epochs', type=int)
    ap.add_argument('--batch-size', type=int)
    ap.add_argument('--lr', type=float)
    ap.add_argument('--optimiser', choices=['adam', 'sgd'])
    ap.add_argument('--augment', metavar='KINDS', help="training-fold augmentation, e.g. 'vflip,shift:15' or 'none' "
                                                      '(models/augment.py)')
    ap.add_argument('--init', metavar='STATE_DICT', help='start from these weights (torch.save of a state dict; '
                                                         'entries whose name and shape match), e.g. pretrained ones')
    ap.add_argument('--classes', choices=list(CLASS_SETUPS),
                    help="class set (default: the paper's in the paper config, else megc3): "
                         + '; '.join(f"{k} = {v['description']}" for k, v in CLASS_SETUPS.items()))
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--attention-sparsity', type=float, default=0.0, metavar='LAMBDA',
                    help='weight of an unsupervised sparsity term: normalised entropy of the displayed spatial '
                         'attention map (never uses region masks); 0 = off')
    ap.add_argument('--attention-sufficiency', type=float, default=0.0, metavar='MU',
                    help='weight of an unsupervised term: cross-entropy of the model on its input multiplied by '
                         'its own displayed attention map (resized, max-normalised); 0 = off')
    ap.add_argument('--attention-supervision', type=float, default=0.0, metavar='NU',
                    help="weight of a SUPERVISED term: KL divergence from the training samples' region masks to the "
                         "displayed attention map (manifest column 'region'; synthetic data); 0 = off")
    ap.add_argument('--attention-gate-lr-scale', type=float, default=1.0, metavar='K',
                    help="learning rate of the attention gates' parameters (spatial and temporal gate convs) = K x --lr "
                         '(default 1)')
    ap.add_argument('--flow-size', type=int, metavar='S',
                    help="compute the flow at SxS and pool it to the input size (the card's flow.computeSize; "
                         'default: as the config says; the input size itself: no pooling)')
    ap.add_argument('--own-inputs', metavar='DESCRIPTION',
                    help="the manifest's inputs were computed outside the kit and the studio, e.g. 'LiteFlowNet flow "
                         "between neighbours' (same shape as the config's input); the card and the report say so, "
                         "and that the studio computes the card's recipe at inference instead")
    ap.add_argument('--strain', choices=list(pp.STRAIN_VARIANTS),
                    help="optical strain variant of a strain channel (Off-TANet's default 'off-tanet' is its released "
                         "code's formula, 'standard' its paper's eq. 4; STSTNet's default 'standard'); recorded in "
                         "the card's preprocessing.strain")
    ap.add_argument('--threads', type=int, default=2, help='torch threads per training process')
    ap.add_argument('--jobs', type=int, default=1, metavar='N',
                    help='train the folds and the final model in N processes at once (fork; same results)')
    ap.add_argument('--out', default='models-out')
    ap.add_argument('--id', help='model id (default <model>-<config>)')
    ap.add_argument('--name')
    ap.add_argument('--data-description', default='the training-set export given with --data')
    ap.add_argument('--demo', action='store_true', help='mark the cards as demo (synthetic data, not for real use)')
    ap.add_argument('--no-fold-models', action='store_true', help='skip exporting the per-fold models')
    ap.add_argument('--fixtures', help='write an ONNX parity fixture for the all-data model into this folder')
    ap.add_argument('--note', action='append', default=[])
    ap.add_argument('--results', help='where to write <id>.results.json (default: --out)')
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    spec, cfg = MODELS[a.model], dict(MODELS[a.model].configs[a.config])
    if a.strain is not None:
        if not spec.preprocessing(cfg)['strain']:
            raise SystemExit(f'{a.model} has no optical strain channel; --strain does not apply')
        cfg['strain'] = a.strain
    if a.flow_size is not None:
        if not spec.preprocessing(cfg)['flow']:
            raise SystemExit(f'{a.model} uses no optical flow; --flow-size does not apply')
        if a.flow_size % cfg['size']:
            raise SystemExit(f"--flow-size {a.flow_size} is not a multiple of the input size {cfg['size']}")
        cfg.pop('flow_size', None)
        if a.flow_size != cfg['size']:
            cfg['flow_size'] = a.flow_size
    try:
        augmentation = None if a.augment is None else augment.parse(a.augment)
    except ValueError as e:
        raise SystemExit(f'--augment: {e}') from None
    recipe, source, overridden = training_recipe(a.model, a.config, {
        'protocol': a.protocol, 'optimiser': a.optimiser, 'lr': a.lr, 'batch_size': a.batch_size,
        'epochs': a.epochs, 'augmentation': augmentation, 'classes': a.classes})
    if recipe['classes'] != 'megc3':
        cfg['classes'] = recipe['classes']  # recorded in the card's architectureConfig
    try:
        check_protocol(recipe['protocol'])
    except ValueError as e:
        raise SystemExit(f'--protocol: {e}') from None
    epochs, protocol = recipe['epochs'], recipe['protocol']
    optimisation = Optimisation(recipe['optimiser'], recipe['momentum'], recipe['weight_decay'],
                                tuple(tuple(k) for k in recipe['augmentation']))
    recipe_text = (f"{source}{'; overridden: ' + ', '.join(overridden) if overridden else ''}: {protocol}, "
                   f"{recipe['optimiser']} lr {recipe['lr']}"
                   + (f" momentum {recipe['momentum']}" if recipe['optimiser'] == 'sgd' else '')
                   + f", weight decay {recipe['weight_decay']}, batch {recipe['batch_size']}, {epochs} epochs, "
                   f"augmentation {augment.text(optimisation.augmentation)}, classes {recipe['classes']}")
    init = load_init(a.init, spec.build(cfg).state_dict(), spec.adapt_init) if a.init else None
    model_id = a.id or f'{a.model}-{a.config}'
    name = a.name or f'{spec.name} ({a.config} config)'
    setup = class_setup(cfg)
    rows, skipped = load_manifest(a.data, setup)
    absent = [c for i, c in enumerate(setup['classes']) if not any(r['y'] == i for r in rows)]
    if not rows or (absent and recipe['classes'] != 'megc3'):
        raise SystemExit(f"--classes {recipe['classes']}: no sample of {', '.join(absent)} in {a.data} ({skipped} "
                         "labels not in the set); this class set needs the coded emotions as labels (the studio's "
                         'training-set export with emotion labels), not the MEGC classes')
    expected = spec.input_shape(cfg)
    if list(rows[0]['x'].shape) != expected:
        raise SystemExit(f"inputs have shape {list(rows[0]['x'].shape)}, {a.model}/{a.config} expects {expected}")
    if a.own_inputs is not None:
        if not a.own_inputs.strip():
            raise SystemExit('--own-inputs: say what the inputs are, e.g. "LiteFlowNet flow between neighbours"')
        if os.path.exists(os.path.join(a.data, 'training-set.json')):
            raise SystemExit(f'--own-inputs: {a.data} is a studio training-set export (training-set.json): its inputs '
                             "are the studio's, built by its card's recipe")
    differences = recipe_differences(a.data, spec, cfg)
    if differences:
        raise SystemExit(f'the training set was built with another preprocessing recipe than {a.model}/{a.config} '
                         'declares (export it with a card of that config, or choose the matching --config / '
                         '--flow-size): ' + '; '.join(differences))
    print(f'{len(rows)} samples ({skipped} with other labels skipped), '
          f"{len({(r['dataset'], r['subject']) for r in rows})} subjects; recipe: {recipe_text}")
    t0 = time.time()
    attention = AttentionTraining(a.attention_sparsity, a.attention_sufficiency, a.attention_supervision,
                              a.attention_gate_lr_scale)
    if attention.any() and not spec.display_map_torch:
        raise SystemExit(f'{a.model} has no spatial attention map for the --attention-* terms')
    missing = sum(r['mask'] is None for r in rows)
    if attention.supervision and missing:
        raise SystemExit(f"--attention-supervision needs a region mask for every sample (manifest column 'region'); "
                         f'{missing} of {len(rows)} have none')
    report, fold_models, _, (final_model, final_w) = cross_validate(
        spec, cfg, rows, protocol, epochs, recipe['batch_size'], recipe['lr'], a.seed, attention=attention,
        optimisation=optimisation, init=init, jobs=a.jobs, final_seed=a.seed + 1000)
    report['recipe'] = {**recipe, 'augmentation': augment.text(optimisation.augmentation), 'source': source,
                        'overridden': overridden, 'inputs': a.own_inputs or "the card's preprocessing recipe"}
    p = report['pooled']
    print(f"pooled UF1={p['uf1']:.4f} UAR={p['uar']:.4f} acc={p['accuracy']:.4f} confusion={p['confusion']}")
    if 'foldMean' in report:
        m = report['foldMean']
        print(f"per-fold mean UF1={m['uf1']:.4f} UAR={m['uar']:.4f} acc={m['accuracy']:.4f}")
    if 'attention' in report:
        print('attention:', json.dumps(report['attention']))
    training = {'data': a.data_description, 'protocol': f"{protocol} cross-validation for the metrics; the shipped "
                f'model is trained on all {len(rows)} samples', 'epochs': epochs,
                'details': f'recipe: {recipe_text}; cosine schedule, seed {a.seed}, config {a.config}'
                           + (f'; initialised from {os.path.basename(a.init)}' if a.init else '')
                           + (f'; trained on inputs computed outside the kit: {a.own_inputs}' if a.own_inputs else '')
                           + ('; SVM fitted on the trained features' if a.model == 'ast_svmnet' else '')
                           + attention_training_text(attention)}
    if attention.supervision:
        training['attentionSupervised'] = True
    # Which subjects each model saw, so the studio can flag figures on training samples (leakage).
    subjects = sorted({f"{r['dataset']}/{r['subject']}" for r in rows})
    training['subjects'] = subjects
    metrics = metrics_for_card(report, a.data_description, spec.display_map_text)
    notes = a.note + ([own_inputs_note(a.own_inputs)] if a.own_inputs else [])
    os.makedirs(a.out, exist_ok=True)
    if not a.no_fold_models:
        for k, (model, w) in enumerate(fold_models):
            fr = report['folds'][k]
            fold_metrics = [{'name': 'fold UF1', 'value': round(fr['uf1'], 4), 'howComputed': f"held-out fold {k} ({fr['test']}) only"},
                            {'name': 'fold UAR', 'value': round(fr['uar'], 4), 'howComputed': f"held-out fold {k} ({fr['test']}) only"}]
            export_model(spec, cfg, model, w, os.path.join(a.out, 'folds'), f'{model_id}-fold{k}', f'{name}, fold {k}',
                         a.demo, {**training, 'protocol': f"{protocol}, fold {k}: trained without {fr['test']}",
                          'subjects': [g for g in subjects if g not in fr['test'].split('+')]},
                         fold_metrics, notes, a.config)
    card = export_model(spec, cfg, final_model, final_w, a.out, model_id, name, a.demo, training, metrics, notes,
                        a.config, a.fixtures)
    report.update({'model': model_id, 'seconds': round(time.time() - t0, 1), 'parameterCount': card['parameterCount'],
                   'sizeBytes': card['file']['sizeBytes']})
    results_dir = a.results or a.out
    os.makedirs(results_dir, exist_ok=True)
    if not a.no_fold_models:
        for k, (fold_model, fold_w) in enumerate(fold_models):
            save_weights(os.path.join(results_dir, f'{model_id}-fold{k}.pt'), spec, cfg, fold_model, fold_w)
    save_weights(os.path.join(results_dir, f'{model_id}.pt'), spec, cfg, final_model, final_w)
    write_predictions(os.path.join(results_dir, f'{model_id}.predictions.csv'), rows, report.pop('heldOut'), model_id, report['classes'])
    with open(os.path.join(results_dir, f'{model_id}.results.json'), 'w') as f:
        json.dump(report, f, indent=2)
    print(f"exported {os.path.join(a.out, model_id + '.onnx')} ({card['file']['sizeBytes']} bytes, "
          f"{card['parameterCount']} parameters) in {report['seconds']} s")


if __name__ == '__main__':
    main()
