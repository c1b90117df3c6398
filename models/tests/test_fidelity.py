"""The fidelity source (models/fidelity.py) is the one place deviations and the papers' figures are
written: the cards and models/README.md must say exactly what it says."""
import json

import pytest

from models import fidelity
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
    assert card['deviations'] == fidelity.deviations(key)
    assert card['paper']['results'] == fidelity.results(key)


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
