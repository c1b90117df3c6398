"""The paper configs against the numbers the papers print: parameter counts and tensor shapes."""
import torch
from torch import nn

from models.astnet import BasicBlock
from models.ms3d_resnet import Bottleneck
from models.registry import MODELS


def build(key, config='paper'):
    spec = MODELS[key]
    return spec, spec.configs[config], spec.build(spec.configs[config]).eval()


def test_off_tanet_paper_config_has_59403_parameters():
    _, _, model = build('off_tanet')
    assert sum(p.numel() for p in model.parameters()) == 59_403


def test_cbamnet_paper_config_follows_table_1():
    _, cfg, model = build('cbamnet')
    assert (cfg['frames'], cfg['size']) == (16, 64)
    # Table 1, 'Output' after Pool1..Pool6 as H x W x T, with the layer's number of kernels
    table_1 = [(32, 64, 64, 16), (32, 32, 32, 8), (32, 16, 16, 4), (64, 16, 16, 4), (64, 8, 8, 2), (64, 4, 4, 1)]
    x, after_pools = torch.zeros(1, 3, 16, 64, 64), []
    with torch.no_grad():
        for layer in model.features:
            x = layer(x)
            if isinstance(layer, nn.MaxPool3d):
                after_pools.append((x.shape[1], x.shape[3], x.shape[4], x.shape[2]))
        convs = [m for m in model.features if isinstance(m, nn.Conv3d)]
        out = model(torch.zeros(1, 3, 16, 64, 64))
    assert after_pools == table_1
    assert [c.kernel_size for c in convs] == [(3, 3, 3)] * 6
    assert [m.kernel_size for m in model.features if isinstance(m, nn.MaxPool3d)] == [(2, 2, 2)] * 6
    assert model.classifier[1].in_features == 64 * 4 * 4 * 1
    assert model.cbam.spatial.conv.kernel_size == (1, 7, 7)  # eq. 3: f^{7x7}
    assert out['spatial_attention'].shape == (1, 1, 1, 4, 4)
    assert sum(p.numel() for p in model.parameters()) == 467_941


def test_cbamnet_demo_config_is_table_1_at_a_quarter_width():
    _, cfg, model = build('cbamnet', 'demo')
    assert (cfg['frames'], cfg['size'], cfg['width']) == (16, 64, 0.25)
    with torch.no_grad():
        out = model(torch.zeros(1, 3, 16, 64, 64))
    assert out['spatial_attention'].shape == (1, 1, 1, 4, 4)  # 4x4x1 after Pool6, as in the paper config
    assert model.cbam.spatial.conv.kernel_size == (1, 7, 7)
    assert sum(p.numel() for p in model.parameters()) == 55_045  # resources/models/cbamnet-demo.card.json


def test_ms3d_resnet_paper_config_input_and_blocks():
    spec, cfg, model = build('ms3d_resnet')
    assert spec.input_shape(cfg) == [2, 16, 134, 134]  # 'The input of the network is 134 x 134 x 16'
    assert model.stem[0][0].kernel_size == (3, 7, 7)  # 'the 1st block is a 3 x 7 x 7 convolutional layer'
    # blocks 2-5: 6, 8, 12 and 6 conv layers, every 2 forming a residual structure -> 3, 4, 6, 3 residual units
    units = [sum(isinstance(m, Bottleneck) for m in b) for b in (model.block2, model.block3, model.block4, model.block5)]
    assert [2 * u for u in units] == [6, 8, 12, 6]


def test_astnet_paper_config_follows_table_1():
    spec, cfg, model = build('astnet')
    assert cfg['frames'] == 11  # 11 frames per sample
    # 'one sequence of 11 frames can be turned into an optical flow sequence of 10 frames' (adjacent frames)
    assert spec.input_shape(cfg) == [2, 10, 224, 224]
    assert spec.preprocessing(cfg)['flow']['reference'] == 'previous'
    assert model.frames == 10
    with torch.no_grad():
        out = model(torch.zeros(1, 2, 10, 224, 224))
    assert out['spatial_attention'].shape == (1, 10, 7, 7) and out['channel_attention'].shape == (1, 10, 512)
    # Table 1: Layer 1 = conv + BN + ReLU + max pool; layers 2-5 = two residual units each (ResNet-18)
    trunk = list(model.trunk)
    assert isinstance(trunk[0], nn.Conv2d) and isinstance(trunk[3], nn.MaxPool2d)
    assert sum(isinstance(m, BasicBlock) for m in trunk) == 8
    # Table 1's conv count per layer: Layer 2 Conv1_1..1_4 (no shortcut conv), Layers 3-5 five each (Convk_3 + BN3:
    # the strided 1x1 shortcut of the first unit)
    blocks = [m for m in trunk if isinstance(m, BasicBlock)]
    convs = [sum(isinstance(c, nn.Conv2d) for b in blocks[i:i + 2] for c in b.modules()) for i in range(0, 8, 2)]
    assert convs == [4, 5, 5, 5]
    assert model.cbam.spatial.conv.kernel_size == (7, 7)


def test_ms3d_resnet_fusion_attention_has_eq_3_10s_batchnorm():
    for config in ('paper', 'demo'):
        _, _, model = build('ms3d_resnet', config)
        # L(X) = B(f(relu(B(f(AvgPool(X)))))): conv, BN, ReLU, conv, BN in both branches
        for branch in (model.aff54.first.avg, model.aff32.second.max):
            assert [type(m) for m in branch] == [nn.Conv3d, nn.BatchNorm3d, nn.ReLU, nn.Conv3d, nn.BatchNorm3d]


def test_ast_svmnet_fam_takes_the_input_and_down_sampling_follows():
    spec, cfg, model = build('ast_svmnet')
    assert spec.input_shape(cfg) == [3, 10, 192, 192]  # 'the size of the preprocessed single ME sample is 10*192*192'
    seen = {}
    model.down.register_forward_hook(lambda m, i, o: seen.update(down_in=i[0].shape, down_out=o.shape))
    with torch.no_grad():
        out = model(torch.randn(2, 3, 10, 192, 192))
    # Fig. 3: SAM output 1x192x192, CAM output 10x1x1 (one weight per frame); Inception input 10x32x32
    assert out['spatial_attention'].shape == (2, 1, 192, 192) and out['channel_attention'].shape == (2, 10)
    assert seen['down_in'] == (2, 3, 10, 192, 192) and seen['down_out'][2:] == (10, 32, 32)
    assert torch.allclose(out['channel_attention'].sum(1), torch.ones(2))  # softmax over the frames
    assert torch.allclose(out['spatial_attention'].sum((1, 2, 3)), torch.ones(2))  # softmax over 192x192
