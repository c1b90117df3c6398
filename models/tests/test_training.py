import json
import os

import numpy as np

from models import prepare_synthetic, synth_standin, train
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
                                                        for ext in ('onnx', 'card.json'))
    card = json.loads((out / 'ststnet-tiny.card.json').read_text())
    assert {m['name'] for m in card['metrics']} >= {'UF1', 'UAR'}
    assert (tmp_path / 'fx' / 'ststnet-tiny.parity.json').exists()
