import pytest
import torch

from models.off_tanet import PARAMETER_COUNT, OffTANet
from models.registry import MODELS


def count(model):
    return sum(p.numel() for p in model.parameters())


def test_off_tanet_has_the_papers_parameter_count():
    assert count(OffTANet()) == PARAMETER_COUNT == 59_403


@pytest.mark.parametrize('key', list(MODELS))
def test_tiny_forward_returns_logits_and_declared_attention(key):
    spec = MODELS[key]
    cfg = spec.configs['tiny']
    model = spec.build(cfg).eval()
    with torch.no_grad():
        out = model(torch.randn(2, *spec.input_shape(cfg)))
    assert out['logits'].shape == (2, 3)
    for name in [*spec.attention, *spec.other_outputs]:
        if name != 'label':  # AST+SVMNet's label comes from the SVM node, not the network
            assert name in out and out[name].shape[0] == 2, name
    if spec.display_map:
        maps = spec.display_map({k: v.numpy() for k, v in out.items()})
        assert maps.ndim == 3 and maps.shape[0] == 2


@pytest.mark.parametrize('key', ['off_tanet', 'ststnet', 'cbamnet', 'ast_svmnet'])
def test_paper_config_forward(key):
    spec = MODELS[key]
    cfg = spec.configs['paper']
    with torch.no_grad():
        out = spec.build(cfg).eval()(torch.randn(1, *spec.input_shape(cfg)))
    assert out['logits'].shape == (1, 3)


def test_off_tanet_attention_shapes_match_the_paper():
    with torch.no_grad():
        out = OffTANet().eval()(torch.randn(2, 3, 112, 112))
    assert out['channel_attention'].shape == (2, 28)
    assert out['spatial_attention'].shape == (2, 1, 14, 14)
    assert out['self_attention'].shape == (2, 4, 7, 14, 14)
    # softmax over the 14x14 map of each head and channel
    assert torch.allclose(out['self_attention'].sum(dim=(-1, -2)), torch.ones(2, 4, 7), atol=1e-5)


def test_ms3d_discriminator_picks_the_most_confident_head():
    spec = MODELS['ms3d_resnet']
    with torch.no_grad():
        out = spec.build(spec.configs['tiny']).eval()(torch.randn(3, *spec.input_shape(spec.configs['tiny'])))
    conf = torch.softmax(out['head_logits'], -1).amax(-1)
    picked = out['head_logits'][torch.arange(3), conf.argmax(1)]
    assert torch.equal(picked, out['logits'])
