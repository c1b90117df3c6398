"""ONNX export, model cards and parity fixtures.

Parity fixtures (tests/fixtures/models/<id>.parity.json + .bin) let the vitest
suite check onnxruntime-node against PyTorch without shipping large inputs:
the input is regenerated from a seed with a 32-bit LCG that TypeScript
reproduces (state = 1664525 * state + 1013904223 mod 2^32, value =
state / 2^32 * 2 - 1, float32, row-major), and the .bin holds the PyTorch
outputs as float32 little-endian, concatenated in the header's order.

Reference outputs (<id>.reference.json beside the ONNX file, named with its sha256 in the card's
`reference`) use the same seeded inputs: the card's classes, input and recipe at export time and
the PyTorch outputs (base64 float32 little-endian). The studio runs them when it adds the model
and refuses a card whose classes, input recipe or outputs do not reproduce them."""
import base64
import hashlib
import json
import os

import numpy as np
import onnx
import torch
from torch import nn

from . import fidelity, svm
from .registry import CLASS_SETUPS, MODELS, class_setup

OPSET = 17
SCHEMA_PATH = os.path.join(os.path.dirname(__file__), 'model_card.schema.json')
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREPROCESS_REFERENCE = 'models/preprocess.py (Python reference; the studio reproduces it in TypeScript)'


def lcg_uniform(count, seed):
    out = np.empty(count, np.float64)
    state = seed & 0xFFFFFFFF
    for i in range(count):
        state = (1664525 * state + 1013904223) & 0xFFFFFFFF
        out[i] = state / 4294967296.0 * 2.0 - 1.0
    return out.astype(np.float32)


def output_names(spec):
    if spec.key == 'ast_svmnet':
        return ['features', *spec.attention]
    return ['logits', *spec.attention, *spec.other_outputs]


class _TupleOutputs(nn.Module):
    """ONNX export needs a tuple in a fixed order, not a dict."""

    def __init__(self, model, names):
        super().__init__()
        self.model, self.names = model, names

    def forward(self, x):
        out = self.model(x)
        return tuple(out[n] for n in self.names)


def export_onnx(model, spec, cfg, path, svm_weights=None):
    """Export `model` (eval mode) to `path`; for AST+SVMNet append the SVM (w, b)."""
    model.eval()
    names = output_names(spec)
    dummy = torch.zeros(2, *spec.input_shape(cfg))
    dynamic = {n: {0: 'batch'} for n in ['input', *names]}
    torch.onnx.export(_TupleOutputs(model, names), dummy, path, input_names=['input'], output_names=names,
                      dynamic_axes=dynamic, opset_version=OPSET, do_constant_folding=True)
    proto = onnx.load(path)
    if spec.key == 'ast_svmnet':
        proto = svm.append_svm_classifier(proto, *svm_weights)
    onnx.checker.check_model(proto, full_check=True)
    onnx.save(proto, path)
    return proto


@torch.no_grad()
def reference_outputs(model, spec, x, svm_weights=None):
    """PyTorch outputs in ONNX output order (numpy float32); AST+SVMNet adds label and SVM scores."""
    model.eval()
    out = model(torch.from_numpy(x))
    result = {n: out[n].numpy().astype(np.float32) for n in output_names(spec)}
    if spec.key == 'ast_svmnet':
        scores = svm.decision_values(result['features'], *svm_weights)
        result['label'] = scores.argmax(axis=1).astype(np.float32)
        result['logits'] = scores
    return result


REFERENCE_SEED, REFERENCE_BATCH, REFERENCE_TOLERANCE = 12345, 2, 1e-4
LCG_GENERATOR = 'lcg-1664525-1013904223-uniform-minus1-1'


def seeded_input(spec, cfg, seed=REFERENCE_SEED, batch=REFERENCE_BATCH):
    """The parity fixtures' and reference outputs' input: (x, its header)."""
    shape = [batch, *spec.input_shape(cfg)]
    x = lcg_uniform(int(np.prod(shape)), seed).reshape(shape)
    return x, {'name': 'input', 'shape': shape, 'seed': seed, 'generator': LCG_GENERATOR}


def write_parity_fixture(model, spec, cfg, model_id, fixture_dir, svm_weights=None, seed=REFERENCE_SEED,
                         batch=REFERENCE_BATCH):
    x, input_header = seeded_input(spec, cfg, seed, batch)
    outputs = reference_outputs(model, spec, x, svm_weights)
    os.makedirs(fixture_dir, exist_ok=True)
    header = {'model': f'{model_id}.onnx', 'input': input_header, 'tolerance': REFERENCE_TOLERANCE, 'outputs': []}
    offset = 0
    with open(os.path.join(fixture_dir, f'{model_id}.parity.bin'), 'wb') as f:
        for name, value in outputs.items():
            data = np.ascontiguousarray(value, dtype='<f4')
            f.write(data.tobytes())
            header['outputs'].append({'name': name, 'shape': list(value.shape), 'offset': offset,
                                      'length': int(data.size), 'dtype': 'int64' if name == 'label' else 'float32'})
            offset += data.size * 4
    with open(os.path.join(fixture_dir, f'{model_id}.parity.json'), 'w') as f:
        json.dump(header, f, indent=2)
        f.write('\n')
    return header


def card_recipe(card):
    """What of a card decides the input tensor: its input block and its preprocessing without the prose
    (steps and reference are re-derived from the registry by refresh_card)."""
    pre = {k: v for k, v in card['preprocessing'].items() if k not in ('steps', 'reference')}
    return {'input': card['input'], 'preprocessing': pre}


def attach_reference(card, outputs, input_header, out_dir):
    """Writes <id>.reference.json into out_dir (beside the card's ONNX file) from `outputs` (name -> numpy,
    ONNX output order) for the seeded `input_header`, and names it with its sha256 in card['reference']."""
    logits = np.asarray(outputs['logits'])
    reference = {
        'schemaVersion': 1, 'model': card['file']['name'], 'sha256': card['file']['sha256'],
        'classes': list(card['classes']), 'recipe': card_recipe(card), 'input': input_header,
        'tolerance': REFERENCE_TOLERANCE, 'predicted': [card['classes'][i] for i in logits.argmax(axis=1)],
        'outputs': [{'name': name, 'shape': list(np.shape(value)), 'dtype': 'int64' if name == 'label' else 'float32',
                     'data': base64.b64encode(np.ascontiguousarray(value, dtype='<f4').tobytes()).decode('ascii')}
                    for name, value in outputs.items()],
    }
    name = f"{card['id']}.reference.json"
    path = os.path.join(out_dir, name)
    with open(path, 'w') as f:
        json.dump(reference, f, indent=1)
        f.write('\n')
    card['reference'] = {'file': name, 'sha256': sha256(path)}
    return reference


def write_reference(model, spec, cfg, card, out_dir, svm_weights=None):
    """Reference outputs of a freshly exported model (PyTorch on the seeded input)."""
    x, input_header = seeded_input(spec, cfg)
    return attach_reference(card, reference_outputs(model, spec, x, svm_weights), input_header, out_dir)


def reference_from_parity(card_path, fixture_dir):
    """Reference outputs for a bundled model from its parity fixture (the PyTorch outputs recorded when the
    demo was built, on the same seeded input; the model zoo test holds the shipped ONNX to them): no retraining."""
    with open(card_path) as f:
        card = json.load(f)
    stem = card['file']['name'][:-len('.onnx')]
    with open(os.path.join(fixture_dir, f'{stem}.parity.json')) as f:
        header = json.load(f)
    if header['model'] != card['file']['name']:
        raise ValueError(f"{card_path}: parity fixture is for {header['model']}, not {card['file']['name']}")
    blob = np.fromfile(os.path.join(fixture_dir, f'{stem}.parity.bin'), dtype='<f4')
    outputs = {o['name']: blob[o['offset'] // 4:o['offset'] // 4 + o['length']].reshape(o['shape'])
               for o in header['outputs']}
    attach_reference(card, outputs, header['input'], os.path.dirname(card_path))
    validate_card(card)
    write_card(card, card_path)


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def parameter_count(model, spec, svm_weights=None):
    params = model.parameters() if spec.key != 'ast_svmnet' else (
        p for n, p in model.named_parameters() if not n.startswith('head.'))
    count = sum(p.numel() for p in params)
    if svm_weights is not None:
        count += sum(int(np.asarray(a).size) for a in svm_weights)
    return int(count)


@torch.no_grad()
def output_shapes(model, spec, cfg, svm_weights=None):
    x = np.zeros([1, *spec.input_shape(cfg)], np.float32)
    return {n: [-1, *v.shape[1:]] for n, v in reference_outputs(model, spec, x, svm_weights).items()}


def _steps(pre, spec, cfg):
    onset_apex = pre['frames']['selection'] == 'onset-apex'
    if onset_apex:
        steps = ['Take the onset and apex frames.']
    else:
        steps = [f"Take frames onset..offset and resample them to {cfg['frames']} frames by linear interpolation "
                 '(preprocess.temporal_normalise), rounding to uint8.']
    size = f"{cfg['size']}x{cfg['size']} with bicubic interpolation, rounded to uint8 (preprocess.resize)"
    if pre['crop']['colour'] == 'gray':
        steps.append(f'Convert each frame to gray (cv2.COLOR_BGR2GRAY), then resize it to {size}.')
    else:
        steps.append(f'Resize each BGR frame to {size}, then reorder the channels to RGB.')
    if pre['magnification']:
        m = pre['magnification']
        steps.append(f"Magnify: I_t + {m['alpha']} * GaussianBlur(I_t - I_0, sigma {m['sigma']}) "
                     '(preprocess.magnify_onset_difference); then divide by 255.')
    if pre['flow']:
        fn = 'tvl1_flow' if pre['flow']['method'] == 'tvl1' else 'lk_flow'
        pairs = ('onset -> apex' if onset_apex else 'each frame -> the next (T frames, T-1 flow steps)'
                 if pre['flow']['reference'] == 'previous' else 'first frame -> each frame (zero flow for the first)')
        if 'computeSize' in pre['flow']:
            big, factor = cfg['flow_size'], cfg['flow_size'] // cfg['size']
            steps.append(f"Optical flow {pre['flow']['method']} {pairs} (preprocess.{fn}) on the gray frames resized "
                         f"to {big}x{big} instead (bicubic, rounded to uint8); average each {factor}x{factor} block "
                         f"of the flow and divide by {factor} (preprocess.pool_flow); channels u, v.")
        else:
            steps.append(f"Optical flow {pre['flow']['method']} {pairs} (preprocess.{fn}); channels u, v.")
    if pre['strain']:
        steps.append(f"Optical strain magnitude, variant {pre['strain']['variant']} (preprocess.optical_strain), "
                     'as the third channel.')
    if pre['isdf']:
        steps.append('ISDF: gray(frame_t) - gray(frame_0) as the third channel (preprocess.isdf).')
    steps.append('Standardise each channel of the sample: (x - mean) / (std + 1e-6), population std over all '
                 'other axes (preprocess.standardise_channels).')
    steps.append(f"Layout {spec.layout}, float32, channels {', '.join(spec.channels)}.")
    return steps


def class_set(spec, cfg):
    """The card's `classSet`: the config's class set (registry.CLASS_SETUPS), its label map and the paper's sets."""
    name = cfg.get('classes', 'megc3')
    setup = CLASS_SETUPS[name]
    return {'name': name, 'description': setup['description'], 'labels': dict(setup['labels']),
            'paperSets': fidelity.paper_class_sets(spec.key)}


def _preprocessing(spec, cfg):
    pre = spec.preprocessing(cfg)
    return {**pre, 'steps': _steps(pre, spec, cfg), 'reference': PREPROCESS_REFERENCE}


def build_card(spec, cfg, model, onnx_path, *, model_id, name, version, demo, training, metrics, notes,
               config_name, svm_weights=None):
    shapes = output_shapes(model, spec, cfg, svm_weights)
    pre = _preprocessing(spec, cfg)
    attention = [{'name': n, 'kind': kind, 'layer': layer, 'shape': shapes[n], 'axes': axes, 'display': display}
                 for n, (kind, layer, axes, display) in spec.attention.items()]
    other = [{'name': n, 'shape': shapes[n], 'description': d} for n, d in spec.other_outputs.items()]
    card = {
        'schemaVersion': 1, 'id': model_id, 'name': name, 'architecture': spec.key, 'version': version, 'demo': demo,
        'paper': spec.paper, 'classes': list(class_setup(cfg)['classes']), 'classSet': class_set(spec, cfg),
        'input': {'name': 'input', 'kind': spec.input_kind, 'dtype': 'float32', 'shape': [-1, *spec.input_shape(cfg)],
                  'layout': spec.layout, 'channels': list(spec.channels)},
        'preprocessing': pre,
        'outputs': {'logits': {'name': 'logits', 'shape': shapes['logits'],
                               'kind': 'svm-decision-values' if spec.key == 'ast_svmnet' else 'logits'},
                    'attention': attention, 'other': other},
        'architectureConfig': {'config': config_name, **{k: v for k, v in cfg.items()}},
        'training': training, 'metrics': metrics, 'deviations': list(spec.deviations), 'notes': list(notes),
        'file': {'name': os.path.basename(onnx_path), 'sha256': sha256(onnx_path),
                 'sizeBytes': os.path.getsize(onnx_path), 'opset': OPSET},
        'parameterCount': parameter_count(model, spec, svm_weights),
        'licence': {'weights': 'MIT (ME Studio)' if demo else 'as the training data licence allows',
                    'code': 'MIT (ME Studio reimplementation from the paper text)'},
    }
    validate_card(card)
    return card


def validate_card(card):
    """Validate against models/model_card.schema.json (generated from the zod schema)."""
    with open(SCHEMA_PATH) as f:
        schema = json.load(f)
    try:
        import jsonschema
    except ImportError:  # Debian's python3-jsonschema missing: check the top level only
        missing = [k for k in schema['required'] if k not in card]
        extra = [k for k in card if k not in schema['properties']]
        if missing or extra:
            raise ValueError(f'model card: missing {missing}, unexpected {extra}')
        return
    jsonschema.validate(card, schema)


@torch.no_grad()
def _attention_shapes(spec, cfg):
    out = spec.build(cfg).eval()(torch.zeros(1, *spec.input_shape(cfg)))
    return {n: [-1, *out[n].shape[1:]] for n in spec.attention}


def refresh_card(path):
    """Re-derive a card's descriptive parts (paper, preprocessing, deviations, attention descriptions)
    from the registry after documentation changes, keeping its weights-dependent parts (file, shapes,
    metrics, training)."""
    with open(path) as f:
        card = json.load(f)
    spec = MODELS[card['architecture']]
    cfg = {k: v for k, v in card['architectureConfig'].items() if k != 'config'}
    card.update(paper=spec.paper, classSet=class_set(spec, cfg), preprocessing=_preprocessing(spec, cfg),
                deviations=list(spec.deviations))
    # a card trained before its network changed (the registry now builds other attention outputs) keeps the
    # descriptions of the outputs its file has
    current = _attention_shapes(spec, cfg)
    if all(current.get(e['name']) == e['shape'] for e in card['outputs']['attention']):
        for entry in card['outputs']['attention']:
            kind, layer, axes, display = spec.attention[entry['name']]
            entry.update(kind=kind, layer=layer, axes=axes, display=display)
    validate_card(card)
    write_card(card, path)


def write_card(card, path):
    with open(path, 'w') as f:
        json.dump(card, f, indent=2)
        f.write('\n')


if __name__ == '__main__':
    import sys
    if sys.argv[1:2] == ['--references']:  # --references FIXTURE_DIR CARD...: bundled models' reference outputs
        for card_path in sys.argv[3:]:
            reference_from_parity(card_path, sys.argv[2])
            print(f'wrote the reference outputs of {card_path}')
    else:
        for card_path in sys.argv[1:]:
            refresh_card(card_path)
            print(f'refreshed {card_path}')
