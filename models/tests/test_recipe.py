"""--config paper takes each paper's training recipe (models/fidelity.py); flags override it; the report
and the card say which was used. Augmentations keep the flow's meaning."""
import json

import numpy as np
import pytest
import torch

from models import augment, prepare_synthetic, synth_standin, train


def test_paper_recipes_follow_the_papers_and_flags_override_them():
    r, source, changed = train.training_recipe('astnet', 'paper', {'protocol': None, 'lr': None})
    assert (r['protocol'], r['optimiser'], r['lr'], r['momentum'], r['batch_size'], r['epochs']) == \
        ('loso-mean', 'sgd', 1e-5, 0.9, 32, 50)
    assert r['augmentation'] == [('mirror-rotate-crop', 20)] and 'paper' in source and changed == []
    r, _, changed = train.training_recipe('ms3d_resnet', 'paper', {'protocol': 'loso', 'epochs': 100})
    assert (r['protocol'], r['lr'], r['epochs'], r['augmentation']) == ('loso', 1e-5, 100, [('shift', 15), ('vflip', None)])
    assert changed == ['protocol']  # 100 epochs is the paper's own
    r, source, _ = train.training_recipe('cbamnet', 'demo', {})
    assert (r['protocol'], r['optimiser'], r['augmentation'], r['epochs']) == ('loso', 'adam', [], train.DEFAULT_EPOCHS['cbamnet'])
    assert 'defaults' in source
    assert train.training_recipe('cbamnet', 'paper', {})[0]['protocol'] == 'group-kfold-mean:10'


def test_protocols_split_and_average():
    rows = [{'dataset': 'd', 'subject': s, 'sample': f'e{i}'} for i, s in enumerate('aabc')]
    assert [t for _, t in train.make_folds(rows, 'leave-one-sample-out')] == [[0], [1], [2], [3]]
    assert train.make_folds(rows, 'loso-mean') == train.make_folds(rows, 'loso')
    assert len(train.make_folds(rows, 'group-kfold-mean:2')) == 2
    assert train.split_protocol('loso-mean') == ('loso', 'per-fold mean')
    assert train.split_protocol('leave-one-sample-out') == ('leave-one-sample-out', 'pooled')
    for bad in ('kfold:3', 'group-kfold:1', 'group-kfold:x', 'loso-median'):
        with pytest.raises(ValueError, match='unknown protocol'):
            train.check_protocol(bad)


def test_augmentation_parsing_refuses_what_it_cannot_do():
    assert augment.parse('vflip, shift:15') == [('vflip', None), ('shift', 15)]
    assert augment.parse('none') == [] and augment.text([]) == 'none'
    for bad, message in (('blur', 'unknown augmentation'), ('shift', "needs ':N'"), ('vflip:2', "takes no ':N'"),
                         ('subsequence:0', 'not a positive integer')):
        with pytest.raises(ValueError, match=message):
            augment.parse(bad)


def test_flips_move_the_image_and_turn_the_flow():
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 5)).astype(np.float32)  # [N, (u, v, strain), H, W]
    y = np.array([0, 1])
    xv, yv = augment.augment(x, y, ['u', 'v', 'strain'], [('vflip', None)])
    assert xv.shape == (4, 3, 4, 5) and yv.tolist() == [0, 1, 0, 1]
    np.testing.assert_array_equal(xv[2, 0], x[0, 0, ::-1])
    np.testing.assert_array_equal(xv[2, 1], -x[0, 1, ::-1])  # v points the other way
    np.testing.assert_array_equal(xv[2, 2], x[0, 2, ::-1])
    xh, _ = augment.augment(x, y, ['u', 'v', 'strain'], [('hflip', None)])
    np.testing.assert_array_equal(xh[3, 0], -x[1, 0, :, ::-1])
    np.testing.assert_array_equal(xh[3, 1], x[1, 1, :, ::-1])


def test_shift_moves_by_the_given_pixels_with_the_border_replicated():
    x = np.arange(2 * 1 * 6 * 6, dtype=np.float32).reshape(2, 1, 6, 6)
    xs, _ = augment.augment(x, np.array([0, 1]), ['isdf'], [('shift', 2)], seed=3)
    for src, out in zip(x, xs[2:]):
        candidates = [np.pad(src, ((0, 0), (2, 2), (2, 2)), mode='edge')[:, 2 + dy * 2:8 + dy * 2, 2 + dx * 2:8 + dx * 2]
                      for dy, dx in ((0, -1), (0, 1), (-1, 0), (1, 0))]
        assert any(np.array_equal(out, c) for c in candidates)


def test_mirror_rotate_crop_turns_a_uniform_flow_with_the_image():
    x = np.zeros((1, 2, 3, 16, 16), np.float32)  # [N, (u, v), T, H, W]: u = 1 everywhere
    x[:, 0] = 1.0
    xa, ya = augment.augment(x, np.array([2]), ['u', 'v'], [('mirror-rotate-crop', 6)], seed=1)
    assert xa.shape == (6, 2, 3, 16, 16) and ya.tolist() == [2] * 6
    speed = np.hypot(xa[1:, 0], xa[1:, 1])
    # a uniform field stays uniform; its length grows by 1 / crop scale (0.9..1) and its direction turns by <= 10 deg
    assert np.all((speed > 0.999) & (speed < 1 / 0.9 + 1e-3))
    angle = np.degrees(np.arctan2(xa[1:, 1], np.abs(xa[1:, 0])))
    assert np.all(np.abs(angle) <= 10 + 1e-3)


def test_subsequence_fills_every_class_to_the_target():
    x = np.random.default_rng(0).normal(size=(3, 3, 8, 4, 4)).astype(np.float32)
    xs, ys = augment.augment(x, np.array([0, 0, 1]), ['r', 'g', 'b'], [('subsequence', 5)], seed=0)
    assert np.bincount(ys).tolist() == [5, 5] and xs.shape == (10, 3, 8, 4, 4)
    with pytest.raises(ValueError, match='sequence inputs'):
        augment.augment(x[:, :, 0], np.array([0, 0, 1]), ['u', 'v', 'strain'], [('subsequence', 5)])


def test_paper_config_runs_the_papers_recipe_and_says_so(tmp_path):
    data, sets, out = tmp_path / 'synth', tmp_path / 'sets', tmp_path / 'out'
    synth_standin.generate(str(data), subjects=3, samples_per_subject=3, seed=5, frames=8)
    assert prepare_synthetic.prepare(str(data), str(sets), ['ststnet'], config='paper', processes=1) == 9
    base = ['--model', 'ststnet', '--data', str(sets / 'ststnet'), '--epochs', '1', '--threads', '1', '--no-fold-models']
    train.main(base + ['--out', str(out)])
    report = json.loads((out / 'ststnet-paper.results.json').read_text())
    assert report['protocol'] == 'loso' and report['averaging'] == 'pooled' and 'foldMean' not in report
    assert "the paper's recipe" in report['recipe']['source'] and report['recipe']['overridden'] == ['epochs']

    train.main(base + ['--out', str(tmp_path / 'o2'), '--protocol', 'loso-mean', '--augment', 'hflip',
                       '--optimiser', 'sgd', '--lr', '0.01'])
    report = json.loads((tmp_path / 'o2' / 'ststnet-paper.results.json').read_text())
    assert report['averaging'] == 'per-fold mean'
    assert report['foldMean']['uf1'] == pytest.approx(np.mean([f['uf1'] for f in report['folds']]))
    assert report['recipe']['overridden'] == ['protocol', 'optimiser', 'lr', 'epochs', 'augmentation']
    card = json.loads((tmp_path / 'o2' / 'ststnet-paper.card.json').read_text())
    assert 'overridden: protocol, optimiser, lr, epochs, augmentation: loso-mean, sgd lr 0.01 momentum 0.9' in card['training']['details']
    assert 'augmentation hflip' in card['training']['details']
    assert len(card['training']['subjects']) == 3  # the subjects it saw: the studio flags its figures on them
    assert {m['name'] for m in card['metrics']} >= {'UF1', 'UF1 (per-fold mean)', 'UAR (per-fold mean)'}

    with pytest.raises(SystemExit, match='--protocol: unknown protocol'):
        train.main(base + ['--out', str(tmp_path / 'o3'), '--protocol', 'kfold:3'])
    with pytest.raises(SystemExit, match='--augment: unknown augmentation'):
        train.main(base + ['--out', str(tmp_path / 'o3'), '--augment', 'blur'])


def test_init_loads_the_matching_entries_and_refuses_a_file_that_matches_nothing(tmp_path):
    spec = train.MODELS['ststnet']
    own = spec.build(spec.configs['paper']).state_dict()
    trained = {k: torch.full_like(v, 0.5) if v.is_floating_point() else v for k, v in own.items()}
    torch.save({**trained, 'unrelated.weight': torch.zeros(3)}, tmp_path / 'w.pt')
    init = train.load_init(str(tmp_path / 'w.pt'), own)
    assert set(init) == set(own)
    x, y = np.zeros((4, 3, 28, 28), np.float32), np.array([0, 1, 2, 0])
    model, _ = train.train_model(spec, spec.configs['paper'], x, y, 0, 4, 1e-3, 0, init=init)
    assert all(torch.equal(v, trained[k]) for k, v in model.state_dict().items())
    torch.save({'other.weight': torch.zeros(3)}, tmp_path / 'none.pt')
    with pytest.raises(SystemExit, match='no entry matches'):
        train.load_init(str(tmp_path / 'none.pt'), own)
    (tmp_path / 'junk.pt').write_bytes(b'not a checkpoint')
    with pytest.raises(SystemExit, match='not a readable torch state dict'):
        train.load_init(str(tmp_path / 'junk.pt'), own)


def test_class_sets_map_the_coded_emotions_and_refuse_megc_labels(tmp_path):
    data, sets = tmp_path / 'synth', tmp_path / 'sets'
    synth_standin.generate(str(data), subjects=3, samples_per_subject=4, seed=5, frames=8)
    prepare_synthetic.prepare(str(data), str(sets), ['ststnet'], config='paper', processes=1)
    base = ['--model', 'ststnet', '--data', str(sets / 'ststnet'), '--epochs', '1', '--threads', '1', '--no-fold-models',
            '--protocol', 'loso']
    # the MEGC labels merged repression into negative: MS-3D-ResNet's 'other' cannot be rebuilt from them
    with pytest.raises(SystemExit, match='--classes ms3d-4: no sample of positive, negative, other .*coded emotions'):
        train.main(base + ['--out', str(tmp_path / 'o1'), '--classes', 'ms3d-4'])
    manifest = sets / 'ststnet' / 'manifest.csv'
    lines = manifest.read_text().splitlines()
    emotions = {'negative': ['disgust', 'repression'], 'positive': ['happiness'], 'surprise': ['surprise', 'others']}
    seen = {c: 0 for c in emotions}
    relabelled = [lines[0]]
    for line in lines[1:]:
        c = line.split(',')[3]
        relabelled.append(line.replace(f',{c},', f',{emotions[c][seen[c] % len(emotions[c])]},', 1))
        seen[c] += 1
    manifest.write_text('\n'.join(relabelled) + '\n')
    train.main(base + ['--out', str(tmp_path / 'o2'), '--classes', 'ms3d-4'])
    report = json.loads((tmp_path / 'o2' / 'ststnet-paper.results.json').read_text())
    assert report['classes'] == ['positive', 'negative', 'surprise', 'other']
    assert np.sum(report['pooled']['confusion']) == 12 and len(report['pooled']['confusion']) == 4
    card = json.loads((tmp_path / 'o2' / 'ststnet-paper.card.json').read_text())
    assert card['classes'] == report['classes'] and card['outputs']['logits']['shape'] == [-1, 4]
    assert card['architectureConfig']['classes'] == 'ms3d-4' and 'classes ms3d-4' in card['training']['details']
    # the studio scores it by the same map: repression and others are 'other'
    assert card['classSet']['name'] == 'ms3d-4' and set(card['classSet']['paperSets'].values()) == {'megc3'}
    assert card['classSet']['labels']['repression'] == card['classSet']['labels']['others'] == 'other'
    # ASTNet's five CASME II emotions: every relabelled sample is one of them
    train.main(base + ['--out', str(tmp_path / 'o3'), '--classes', 'casme2-5'])
    report = json.loads((tmp_path / 'o3' / 'ststnet-paper.results.json').read_text())
    assert report['classes'] == ['happiness', 'surprise', 'disgust', 'repression', 'others']
    assert np.sum(report['pooled']['confusion']) == 12


def test_paper_configs_take_the_papers_class_sets():
    assert [train.training_recipe(k, 'paper', {})[0]['classes'] for k in ('ms3d_resnet', 'astnet', 'off_tanet')] == \
        ['ms3d-4', 'casme2-5', 'megc3']
    assert train.training_recipe('ms3d_resnet', 'demo', {})[0]['classes'] == 'megc3'


def test_strain_variant_is_a_choice_the_card_records(tmp_path):
    """Off-TANet's card keeps its released code's strain; --strain standard trains on the paper's eq. 4."""
    spec = train.MODELS['off_tanet']
    cfg = spec.configs['paper']
    assert spec.preprocessing(cfg)['strain']['variant'] == 'off-tanet'
    assert spec.preprocessing({**cfg, 'strain': 'standard'})['strain']['variant'] == 'standard'
    rng = np.random.default_rng(0)
    onset = rng.integers(0, 255, (112, 112, 3), dtype=np.uint8)
    apex = np.roll(onset, (1, 2), axis=(0, 1))
    released, eq4 = (spec.make_input([onset, apex], 1, {**cfg, 'strain': s}) for s in ('off-tanet', 'standard'))
    assert np.array_equal(released[:2], eq4[:2]) and not np.allclose(released[2], eq4[2])
    with pytest.raises(SystemExit, match='cbamnet has no optical strain channel; --strain does not apply'):
        train.main(['--model', 'cbamnet', '--data', str(tmp_path), '--strain', 'standard', '--out', str(tmp_path)])


def test_own_inputs_are_stated_in_the_card_and_the_report(tmp_path):
    """Flows computed elsewhere (LiteFlowNet for ASTNet): the kit trains on them and the card says the studio does not."""
    data, sets, out = tmp_path / 'synth', tmp_path / 'sets', tmp_path / 'out'
    synth_standin.generate(str(data), subjects=3, samples_per_subject=2, seed=5, frames=8)
    prepare_synthetic.prepare(str(data), str(sets), ['ststnet'], config='tiny', processes=1)
    base = ['--model', 'ststnet', '--config', 'tiny', '--data', str(sets / 'ststnet'), '--epochs', '1', '--threads', '1',
            '--no-fold-models', '--out', str(out)]
    train.main(base + ['--own-inputs', 'LiteFlowNet flow (lab copy)'])
    card = json.loads((out / 'ststnet-tiny.card.json').read_text())
    assert 'trained on inputs computed outside the kit: LiteFlowNet flow (lab copy)' in card['training']['details']
    assert any('the studio computes at inference' in n for n in card['notes'])
    assert json.loads((out / 'ststnet-tiny.results.json').read_text())['recipe']['inputs'] == 'LiteFlowNet flow (lab copy)'
    (sets / 'ststnet' / 'training-set.json').write_text('{}')
    with pytest.raises(SystemExit, match='is a studio training-set export'):
        train.main(base + ['--own-inputs', 'LiteFlowNet flow'])


def test_init_takes_torchvision_resnet18_weights_for_astnets_trunk(tmp_path):
    """ImageNet weights as torchvision saves them: renamed onto the trunk, the RGB conv1 averaged for the flow."""
    spec = train.MODELS['astnet']
    own = spec.build(spec.configs['paper']).state_dict()
    torchvision = {'conv1.weight': torch.randn(64, 3, 7, 7), 'fc.weight': torch.randn(1000, 512), 'fc.bias': torch.zeros(1000)}
    for stat in ('weight', 'bias', 'running_mean', 'running_var'):
        torchvision[f'bn1.{stat}'] = torch.randn(64)
    widths = [64, 128, 256, 512]
    for layer in range(1, 5):
        c, cin = widths[layer - 1], widths[max(0, layer - 2)]
        for block in (0, 1):
            p = f'layer{layer}.{block}.'
            torchvision[p + 'conv1.weight'] = torch.randn(c, cin if block == 0 else c, 3, 3)
            torchvision[p + 'conv2.weight'] = torch.randn(c, c, 3, 3)
            for bn in ('bn1', 'bn2') + (('downsample.1',) if layer > 1 and block == 0 else ()):
                for stat in ('weight', 'bias', 'running_mean', 'running_var'):
                    torchvision[f'{p}{bn}.{stat}'] = torch.randn(c)
            if layer > 1 and block == 0:
                torchvision[p + 'downsample.0.weight'] = torch.randn(c, cin, 1, 1)
    torch.save(torchvision, tmp_path / 'resnet18.pt')
    init = train.load_init(str(tmp_path / 'resnet18.pt'), own, spec.adapt_init)
    trunk = {k for k in own if k.startswith('trunk.') and not k.endswith('num_batches_tracked')}
    assert set(init) == trunk  # every trunk tensor, nothing of CBAM, the ConvLSTM or the head
    assert torch.allclose(init['trunk.0.weight'], torchvision['conv1.weight'].mean(1, keepdim=True).repeat(1, 2, 1, 1))
    assert torch.equal(init['trunk.11.body.3.weight'], torchvision['layer4.1.conv2.weight'])
    assert torch.equal(init['trunk.6.shortcut.1.running_var'], torchvision['layer2.0.downsample.1.running_var'])
