"""The fidelity source (models/fidelity.py) is the one place deviations and the papers' figures are
written: the cards and models/README.md must say exactly what it says."""
import json

import pytest

from models import export, fidelity
from models.registry import MODELS

CARDS = sorted(fidelity.CARDS.glob('*.card.json'))


def test_every_model_has_rows_results_and_a_recipe():
    assert set(fidelity.FIDELITY) == set(MODELS)
    for key, entry in fidelity.FIDELITY.items():
        elements = [e for e, _, _ in entry['rows']]
        assert len(set(elements)) == len(elements), key
        assert {'input', 'protocol'} <= set(elements), key
        for element, status, text in entry['rows']:
            assert status in (fidelity.AS_PUBLISHED, fidelity.CHOSEN, fidelity.DEVIATION), (key, element)
            assert text.strip(), (key, element)
        assert entry['results'], key
        for r in entry['results']:
            assert all(0 < m['value'] <= 1 for m in r['metrics']), (key, r['dataset'])


@pytest.mark.parametrize('path', CARDS, ids=lambda p: p.name)
def test_card_deviations_and_paper_results_are_the_sources(path):
    card = json.loads(path.read_text())
    key = card['architecture']
    stale = f"{path.name} is older than models/fidelity.py: '/usr/bin/python3 -m models.fidelity --write' rewrites it"
    assert card['deviations'] == fidelity.deviations(key), stale
    assert card['paper']['results'] == fidelity.results(key), stale


def test_readme_table_is_the_sources():
    table = fidelity.readme_table({k: s.name for k, s in MODELS.items()})
    text = fidelity.README.read_text()
    assert fidelity.readme_with_table(text, table) == text


def test_readme_rewrite_refuses_a_readme_without_markers():
    with pytest.raises(ValueError, match='markers'):
        fidelity.readme_with_table('# no table here\n', 'x')


def test_off_tanet_quotes_the_papers_table_2():
    (r,) = fidelity.results('off_tanet')
    assert {m['name']: m['value'] for m in r['metrics']} == {'UAR': 0.7315, 'UF1': 0.7242}
    assert r['averaging'] == 'per-fold mean'


def test_refresh_keeps_the_outputs_of_a_card_trained_before_its_network_changed(tmp_path):
    # as the AST+SVMNet demo was before its FAM moved to the input: 8 learned-channel weights, ten 32x32 maps
    card = json.loads((fidelity.CARDS / 'ast_svmnet-demo.card.json').read_text())
    channel, spatial = card['outputs']['attention']
    channel.update(shape=[-1, 8], axes=['batch', 'channel'], layer='FAM after the stem')
    spatial.update(shape=[-1, 1, 10, 32, 32], axes=['batch', 'one', 'frame', 'y', 'x'], layer='FAM after the stem')
    (tmp_path / 'old.card.json').write_text(json.dumps(card))
    export.refresh_card(tmp_path / 'old.card.json')
    assert json.loads((tmp_path / 'old.card.json').read_text())['outputs'] == card['outputs']
    # a card of the network the registry builds takes the registry's descriptions
    card = json.loads((fidelity.CARDS / 'cbamnet-demo.card.json').read_text())
    card['outputs']['attention'][0]['layer'] = 'stale'
    (tmp_path / 'cbam.card.json').write_text(json.dumps(card))
    export.refresh_card(tmp_path / 'cbam.card.json')
    layer = json.loads((tmp_path / 'cbam.card.json').read_text())['outputs']['attention'][0]['layer']
    assert layer == MODELS['cbamnet'].attention['channel_attention'][1]
