import csv
import json
import os

import numpy as np
import pytest
import torch

from models import export, prepare_synthetic, synth_standin, train
from models.metrics import confusion_matrix, uf1_uar


def test_pooled_metrics_from_one_confusion_matrix():
    cm = confusion_matrix([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0], 3)
    uf1, uar = uf1_uar(cm)
    f1 = [2 / (2 + 1 + 1), 4 / (4 + 1), 2 / (2 + 1)]
    assert np.isclose(uf1, np.mean(f1)) and np.isclose(uar, np.mean([0.5, 1.0, 0.5]))


def test_loso_groups_by_dataset_and_subject():
    rows = [{'dataset': d, 'subject': s} for d, s in [('casme2', '01'), ('samm', '01'), ('casme2', '01'), ('samm', '02')]]
    folds = train.make_folds(rows, 'loso')
    assert sorted(sorted(t) for _, t in folds) == [[0, 2], [1], [3]]
    assert len(train.make_folds(rows, 'group-kfold:2')) == 2


def test_end_to_end_on_a_tiny_synthetic_set(tmp_path):
    data, sets, out = tmp_path / 'synth', tmp_path / 'sets', tmp_path / 'out'
    synth_standin.generate(str(data), subjects=3, samples_per_subject=3, seed=5, frames=8)
    assert prepare_synthetic.prepare(str(data), str(sets), ['ststnet'], config='tiny', processes=1) == 9
    train.main(['--model', 'ststnet', '--data', str(sets / 'ststnet'), '--protocol', 'loso', '--config', 'tiny',
                '--epochs', '1', '--out', str(out), '--threads', '1', '--fixtures', str(tmp_path / 'fx')])
    results = json.loads((out / 'ststnet-tiny.results.json').read_text())
    assert len(results['folds']) == 3 and sum(f['n'] for f in results['folds']) == 9
    assert sum(map(sum, results['pooled']['confusion'])) == 9
    assert sorted(os.listdir(out / 'folds')) == sorted(f'ststnet-tiny-fold{k}.{ext}' for k in range(3)
                                                        for ext in ('onnx', 'card.json', 'reference.json'))
    assert all((out / f'ststnet-tiny-fold{k}.pt').exists() for k in range(3))
    card = json.loads((out / 'ststnet-tiny.card.json').read_text())
    # reference outputs named by their sha256; the PyTorch weights load into the architecture
    reference = json.loads((out / card['reference']['file']).read_text())
    assert card['reference']['sha256'] == export.sha256(str(out / card['reference']['file']))
    assert reference['classes'] == card['classes'] and reference['sha256'] == card['file']['sha256']
    assert reference['recipe'] == export.card_recipe(card) and len(reference['predicted']) == 2
    saved = torch.load(out / 'ststnet-tiny.pt', weights_only=False)
    spec = train.MODELS['ststnet']
    spec.build(saved['config']).load_state_dict(saved['state_dict'])
    # one row per held-out sample, its fold model's probabilities summing to 1
    with open(out / 'ststnet-tiny.predictions.csv', newline='') as f:
        held_out = list(csv.DictReader(f))
    assert len(held_out) == 9 and {r['model_id'] for r in held_out} == {f'ststnet-tiny-fold{k}' for k in range(3)}
    assert all(abs(sum(float(r[f'p_{c}']) for c in card['classes']) - 1) < 1e-5 for r in held_out)
    assert {m['name'] for m in card['metrics']} >= {'UF1', 'UAR'}
    assert (tmp_path / 'fx' / 'ststnet-tiny.parity.json').exists()
    assert card['preprocessing']['flow']['computeSize'] == [56, 56]

    # A studio export records its card's recipe: a config that would declare another one is refused,
    # --flow-size picks the matching compute size (here: the input size, no pooling, as the paper config).
    paper_recipe = train.MODELS['ststnet'].preprocessing(train.MODELS['ststnet'].configs['paper'])
    (sets / 'ststnet' / 'training-set.json').write_text(json.dumps({'preprocessing': paper_recipe}))
    args = ['--model', 'ststnet', '--data', str(sets / 'ststnet'), '--protocol', 'loso', '--config', 'tiny',
            '--epochs', '1', '--out', str(tmp_path / 'out2'), '--threads', '1', '--no-fold-models']
    with pytest.raises(SystemExit, match=r'another preprocessing recipe .* flow: export .*\[28, 28\]\], config .*\[56, 56\]\]'):
        train.main(args)
    train.main(args + ['--flow-size', '28'])
    assert 'computeSize' not in json.loads((tmp_path / 'out2' / 'ststnet-tiny.card.json').read_text())['preprocessing']['flow']


def test_apex_step_matches_the_studio():
    # the cases of tests/unit/inference/attention-maths.test.ts (apexStep): clip frames 248..302
    assert train.apex_step(248, 263, 302, 10, 10) == 3  # 15*9/54 = 2.5, rounded half up
    assert (train.apex_step(248, 248, 302, 10, 10), train.apex_step(248, 302, 302, 10, 10)) == (0, 9)
    assert (train.apex_step(248, 263, 302, 16, 2), train.apex_step(248, 290, 302, 16, 2)) == (0, 1)


def test_apex_frame_maps_pick_the_apex_step_and_skip_rows_without_an_apex():
    class Spec:
        frame_maps = staticmethod(lambda o: o['a'])
    steps = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 2, 2)
    rows = [{'onset': '10', 'apex': '19', 'offset': '20'}, {'onset': '10', 'apex': '', 'offset': '20'}]
    maps = train.apex_frame_maps(Spec, {'a': steps}, rows, input_frames=3)
    assert np.array_equal(maps[0], steps[0, 2]) and maps[1] is None


def test_end_to_end_reports_the_mass_at_the_apex_for_per_frame_maps(tmp_path):
    data, sets, out = tmp_path / 'synth', tmp_path / 'sets', tmp_path / 'out'
    synth_standin.generate(str(data), subjects=2, samples_per_subject=3, seed=5, frames=8)
    prepare_synthetic.prepare(str(data), str(sets), ['ast_svmnet'], config='tiny', processes=1)
    train.main(['--model', 'ast_svmnet', '--data', str(sets / 'ast_svmnet'), '--protocol', 'loso', '--config', 'tiny',
                '--epochs', '1', '--out', str(out), '--threads', '1', '--no-fold-models'])
    attention = json.loads((out / 'ast_svmnet-tiny.results.json').read_text())['attention']  # seeded: 2 clips right
    assert 0 <= attention['meanMassAtApex'] <= 1 and attention['samplesAtApex'] == attention['samples'] > 0
    names = {m['name'] for m in json.loads((out / 'ast_svmnet-tiny.card.json').read_text())['metrics']}
    assert 'attention mass in moving region at the apex frame' in names


def _resize_pixel_centres(m, height, width):
    """Independent reference of the studio's resizeMapBilinear (src/shared/inference/attention.ts)."""
    out = np.zeros((height, width))
    sy, sx = m.shape[0] / height, m.shape[1] / width
    for y in range(height):
        fy = min(max((y + 0.5) * sy - 0.5, 0), m.shape[0] - 1)
        y0 = int(np.floor(fy)); y1 = min(y0 + 1, m.shape[0] - 1); ty = fy - y0
        for x in range(width):
            fx = min(max((x + 0.5) * sx - 0.5, 0), m.shape[1] - 1)
            x0 = int(np.floor(fx)); x1 = min(x0 + 1, m.shape[1] - 1); tx = fx - x0
            top = m[y0, x0] * (1 - tx) + m[y0, x1] * tx
            bottom = m[y1, x0] * (1 - tx) + m[y1, x1] * tx
            out[y, x] = top * (1 - ty) + bottom * ty
    return out


def test_attention_mass_on_a_hand_made_map():
    """The check upsamples like the studio's overlay (pixel centres), keeps rows = y and columns = x,
    and a uniform map scores exactly the region's area (the chance level)."""
    att = np.zeros((8, 8), np.float32)
    att[1:3, 5:7] = 1.0  # a blob in the upper right (rows 1-2 = y, columns 5-6 = x)
    mask = np.zeros((32, 32), np.uint8)
    mask[2:14, 18:30] = 1  # the same place at 4x the size, one input pixel of margin
    masses, areas = train.attention_mass_in_region([att], [mask])
    up = _resize_pixel_centres(att.astype(np.float64), 32, 32)
    assert np.isclose(masses[0], (up * mask).sum() / up.sum(), atol=1e-6)
    assert masses[0] > 0.9 and np.isclose(areas[0], mask.mean())
    transposed, _ = train.attention_mass_in_region([att], [mask.T.copy()])
    assert transposed[0] < 0.05
    uniform, area = train.attention_mass_in_region([np.full((8, 8), 0.5, np.float32)], [mask])
    assert np.isclose(uniform[0], area[0])
    # sigmoid maps with a baseline: the raw mass counts the baseline, the studio's shifted mass does not
    baseline = att * 0.5 + 0.5
    raw, _ = train.attention_mass_in_region([baseline], [mask])
    shifted, _ = train.attention_mass_in_region([baseline], [mask], shift_min=True)
    assert raw[0] < 0.5 < 0.9 < shifted[0]


def test_attention_terms_use_the_displayed_map():
    import torch
    from models.registry import MODELS

    class Spec:
        display_map_torch = staticmethod(lambda o: o['a'])
    flat, peaked = torch.full((2, 4, 4), 0.5), torch.zeros((2, 4, 4))
    peaked[:, 1, 2] = 0.3
    assert np.isclose(float(train.attention_sparsity_penalty(Spec, {'a': flat})), 1.0)
    assert np.isclose(float(train.attention_sparsity_penalty(Spec, {'a': peaked})), 0.0, atol=1e-6)
    # the attended input: the map resized to the input, divided by its maximum, on every channel and frame
    x = torch.ones(2, 3, 5, 8, 8)
    masked = train.attended_input(Spec, x, {'a': peaked})
    assert masked.shape == x.shape and float(masked.max()) == 1.0
    assert torch.equal(masked[:, 0], masked[:, 2]) and torch.equal(masked[:, :, 0], masked[:, :, 4])
    assert float(masked[0, 0, 0, 2:4, 4:6].min()) > 0.5 and float(masked[0, 0, 0, 6:, :2].max()) == 0.0
    # every model whose map the check measures can train with the terms; the torch map equals the numpy one
    for key, spec in MODELS.items():
        assert (spec.display_map is None) == (spec.display_map_torch is None), key
        if spec.display_map is None:
            continue
        cfg = spec.configs['tiny']
        model = spec.build(cfg).eval()
        with torch.no_grad():
            out = model(torch.randn(2, *spec.input_shape(cfg)))
        numpy_map = spec.display_map({k: v.numpy() for k, v in out.items()})
        assert np.allclose(spec.display_map_torch(out).numpy(), numpy_map, atol=1e-6), key


def test_training_with_attention_terms_runs_and_keeps_batchnorm_statistics_of_the_plain_pass():
    import torch
    from models.registry import MODELS
    spec = MODELS['cbamnet']
    cfg = spec.configs['tiny']
    x = np.random.default_rng(0).standard_normal((4, *spec.input_shape(cfg))).astype(np.float32)
    y = np.array([0, 1, 2, 0])
    plain, _ = train.train_model(spec, cfg, x, y, 1, 4, 0.0, 0)  # lr 0: only BatchNorm statistics move
    both, _ = train.train_model(spec, cfg, x, y, 1, 4, 0.0, 0, train.AttentionTraining(sparsity=1.0, sufficiency=1.0))
    for a, b in zip(plain.modules(), both.modules()):
        if isinstance(a, torch.nn.modules.batchnorm._BatchNorm):
            assert torch.allclose(a.running_mean, b.running_mean) and torch.allclose(a.running_var, b.running_var)


def test_attention_supervision_targets_the_region_cover_of_each_map_cell():
    import torch

    class Spec:
        display_map_torch = staticmethod(lambda o: o['a'])
    mask = torch.zeros(1, 32, 32)
    mask[0, 2:14, 18:30] = 1  # rows = y, columns = x; cells of the 8x8 grid are 4x4 pixels
    target = train.region_targets(mask, (8, 8))[0]
    assert float(target[1, 5]) == 1.0 and float(target[0, 5]) == 0.5 and float(target[0, 4]) == 0.25
    assert float(target[5, 1]) == 0.0 and np.isclose(float(target.sum()) * 16, 12 * 12)
    # KL from the normalised cover to the normalised map: 0 for any map proportional to the cover, whatever its
    # scale; a map with its mass elsewhere (the transposed one) costs more
    on_region = target[None] * 0.8 + 1e-9
    assert np.isclose(float(train.attention_supervision_loss(Spec, {'a': on_region}, mask)), 0.0, atol=1e-5)
    assert np.isclose(float(train.attention_supervision_loss(Spec, {'a': on_region * 0.5}, mask)), 0.0, atol=1e-5)
    flat = train.attention_supervision_loss(Spec, {'a': torch.full((1, 8, 8), 0.5)}, mask)
    transposed = train.attention_supervision_loss(Spec, {'a': on_region.transpose(1, 2) + 0.01}, mask)
    assert 0 < float(flat) < float(transposed)


def test_attention_supervision_needs_masks(tmp_path):
    from models.registry import MODELS
    spec = MODELS['ms3d_resnet']
    cfg = spec.configs['tiny']
    x = np.random.default_rng(0).standard_normal((4, *spec.input_shape(cfg))).astype(np.float32)
    y = np.array([0, 1, 2, 0])
    with pytest.raises(ValueError, match='region mask'):
        train.train_model(spec, cfg, x, y, 1, 4, 1e-3, 0, train.AttentionTraining(supervision=1.0))
    masks = np.zeros((4, *spec.input_shape(cfg)[-2:]), np.uint8)
    masks[:, 2:6, 3:9] = 1
    model, _ = train.train_model(spec, cfg, x, y, 1, 4, 1e-3, 0, train.AttentionTraining(supervision=1.0), masks)
    # the gate learning-rate factor moves the gates' weights further than the rest in the same steps
    import torch
    torch.manual_seed(0)  # train_model seeds the same way before it builds the model: the same initial weights
    before = spec.build(cfg)
    scaled, _ = train.train_model(spec, cfg, x, y, 1, 4, 1e-3, 0, train.AttentionTraining(gate_lr_scale=30.0))
    plain, _ = train.train_model(spec, cfg, x, y, 1, 4, 1e-3, 0)
    gate = 'st_attention.spatial.weight'
    assert train.attention_gate_parameters(before) == {gate, 'st_attention.temporal.weight'}

    def moved(m, name):
        return float((dict(m.named_parameters())[name] - dict(before.named_parameters())[name]).abs().max())
    assert moved(scaled, gate) > 10 * moved(plain, gate)
    assert np.isclose(moved(scaled, 'heads.0.fc.0.weight'), moved(plain, 'heads.0.fc.0.weight'), rtol=0.5)
    with pytest.raises(ValueError, match='no spatial attention'):
        train.train_model(MODELS['ststnet'], MODELS['ststnet'].configs['tiny'], np.zeros((2, 3, 28, 28), np.float32),
                          y[:2], 1, 2, 1e-3, 0, train.AttentionTraining(sparsity=1.0))
    # the kit refuses a manifest without region masks, naming how many lack one
    data, sets = tmp_path / 'synth', tmp_path / 'sets'
    synth_standin.generate(str(data), subjects=2, samples_per_subject=2, seed=5, frames=8)
    prepare_synthetic.prepare(str(data), str(sets), ['ms3d_resnet'], config='tiny', processes=1)
    manifest = sets / 'ms3d_resnet' / 'manifest.csv'
    lines = manifest.read_text().splitlines()
    lines[1] = lines[1].rsplit(',', 1)[0] + ','  # region is the last column
    manifest.write_text('\n'.join(lines) + '\n')
    with pytest.raises(SystemExit, match='needs a region mask for every sample.*1 of 4 have none'):
        train.main(['--model', 'ms3d_resnet', '--data', str(sets / 'ms3d_resnet'), '--config', 'tiny', '--epochs', '1',
                    '--attention-supervision', '1', '--out', str(tmp_path / 'o')])
