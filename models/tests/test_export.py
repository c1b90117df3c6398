import json

import numpy as np
import onnx
import pytest
import torch

from models import export, fidelity, svm
from models.registry import CLASS_SETUPS, MODELS

TRAINING = {'data': 'random weights', 'protocol': 'none', 'epochs': 0, 'details': 'test'}


@pytest.mark.parametrize('key', list(MODELS))
def test_export_checks_and_card_validates(key, tmp_path):
    torch.manual_seed(0)
    spec = MODELS[key]
    cfg = spec.configs['tiny']
    model = spec.build(cfg).eval()
    weights = None
    if key == 'ast_svmnet':
        feats = np.random.default_rng(0).normal(size=(12, model.feature_dim)).astype(np.float32)
        weights = svm.fit_linear_ovr(feats, np.arange(12) % 3, 3, steps=50)
    path = str(tmp_path / f'{key}.onnx')
    proto = export.export_onnx(model, spec, cfg, path, weights)
    onnx.checker.check_model(onnx.load(path))
    names = {o.name for o in proto.graph.output}
    assert names == {'logits', *spec.attention, *spec.other_outputs}
    assert max(op.version for op in proto.opset_import if op.domain in ('', 'ai.onnx')) <= 17
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == 'batch'
    card = export.build_card(spec, cfg, model, path, model_id=f'{key}-test', name=key, version='0', demo=True,
                             training=TRAINING, metrics=[], notes=[], config_name='tiny', svm_weights=weights)
    assert card['input']['shape'] == [-1, *spec.input_shape(cfg)]
    assert [a['name'] for a in card['outputs']['attention']] == list(spec.attention)
    header = export.write_parity_fixture(model, spec, cfg, f'{key}-test', str(tmp_path), weights)
    assert {o['name'] for o in header['outputs']} == names
    size = sum(o['length'] for o in header['outputs']) * 4
    assert (tmp_path / f'{key}-test.parity.bin').stat().st_size == size


def test_card_schema_rejects_a_bad_card(tmp_path):
    spec = MODELS['ststnet']
    cfg = spec.configs['tiny']
    model = spec.build(cfg)
    path = str(tmp_path / 'm.onnx')
    export.export_onnx(model, spec, cfg, path)
    card = export.build_card(spec, cfg, model, path, model_id='m', name='m', version='0', demo=True,
                             training=TRAINING, metrics=[], notes=[], config_name='tiny')
    card['input']['kind'] = 'video'
    with pytest.raises(Exception):
        export.validate_card(json.loads(json.dumps(card)))


def test_lcg_matches_the_documented_recurrence():
    values = export.lcg_uniform(2, 1)
    s1 = (1664525 * 1 + 1013904223) % 2 ** 32
    s2 = (1664525 * s1 + 1013904223) % 2 ** 32
    assert np.allclose(values, [s1 / 2 ** 32 * 2 - 1, s2 / 2 ** 32 * 2 - 1])


def test_svm_fits_separable_data():
    rng = np.random.default_rng(1)
    y = np.arange(60) % 3
    x = rng.normal(size=(60, 5)) + np.eye(3, 5)[y] * 4
    w, b = svm.fit_linear_ovr(x, y, 3)
    assert (svm.decision_values(x, w, b).argmax(1) == y).mean() > 0.95


@pytest.mark.parametrize('name', list(CLASS_SETUPS))
def test_card_names_its_class_set_and_the_papers(name):
    """The card carries the run's class set (the studio scores the model by it) and the sets its paper used."""
    spec = MODELS['ms3d_resnet']
    card_set = export.class_set(spec, {**spec.configs['tiny'], 'classes': name})
    assert card_set['name'] == name
    assert set(card_set['labels'].values()) == set(CLASS_SETUPS[name]['classes'])
    assert card_set['labels']['repression'] == {'megc3': 'negative', 'cbamnet-3': 'negative', 'ms3d-4': 'other',
                                               'casme2-5': 'repression'}[name]
    assert card_set['paperSets'] == {'SAMM': 'ms3d-4', 'CASME II': 'ms3d-4', 'SMIC': 'megc3'}


def test_every_paper_result_has_an_existing_class_set_with_its_classes():
    assert set(fidelity.PAPER_CLASS_SETS) == set(MODELS)
    for key in MODELS:
        sets = fidelity.paper_class_sets(key)
        assert sorted(sets) == sorted(r['dataset'] for r in fidelity.results(key)), key
        for r in fidelity.results(key):
            assert set(CLASS_SETUPS[sets[r['dataset']]]['classes']) == set(r['classes']), (key, r['dataset'])
        assert fidelity.FIDELITY[key]['recipe']['classes'] in sets.values(), key


def test_refresh_adds_the_class_set_to_a_card_written_before_it(tmp_path):
    card = json.loads((fidelity.CARDS / 'cbamnet-demo.card.json').read_text())
    card.pop('classSet', None)
    (tmp_path / 'c.card.json').write_text(json.dumps(card))
    export.refresh_card(tmp_path / 'c.card.json')
    refreshed = json.loads((tmp_path / 'c.card.json').read_text())
    # the demo trained on the MEGC set (its architectureConfig names no other), not CBAMNet's CASME II one
    assert refreshed['classSet']['name'] == 'megc3'
    assert refreshed['classSet']['labels']['fear'] == 'negative'
    assert refreshed['classSet']['paperSets'] == {'CASME II': 'cbamnet-3', 'SMIC-HS': 'megc3'}


def test_a_flow_between_neighbours_card_declares_one_step_fewer(tmp_path):
    spec = MODELS['astnet']
    cfg = {**spec.configs['tiny'], 'flow_reference': 'previous'}  # as ASTNet's paper config, at the tiny size
    model = spec.build(cfg).eval()
    path = str(tmp_path / 'a.onnx')
    export.export_onnx(model, spec, cfg, path)
    card = export.build_card(spec, cfg, model, path, model_id='a', name='a', version='0', demo=False,
                             training=TRAINING, metrics=[], notes=[], config_name='tiny')
    assert card['input']['shape'] == [-1, 2, cfg['frames'] - 1, 64, 64]
    assert card['preprocessing']['frames']['temporalLength'] == cfg['frames']
    assert card['preprocessing']['flow']['reference'] == 'previous'
    assert card['outputs']['attention'][1]['shape'][1] == cfg['frames'] - 1
    assert any('each frame -> the next' in s for s in card['preprocessing']['steps'])
