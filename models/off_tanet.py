"""Off-TANet (Zhang, Liu, Zhou 2021): a minimalist residual CNN on onset->apex
optical flow (u, v, strain) at 112x112 with a triplet attention block
(channel -> spatial -> multi-head self-attention) in the last residual block.

The layer recipe below reproduces the paper's 59,403 parameters exactly:
- every ordinary convolution has a bias and is followed by BatchNorm;
- residual shortcuts are 1x1 convolutions with bias and without BatchNorm;
- the CBAM parts follow CBAM's original convention (no bias): channel MLP
  28->1->28, spatial 3x3 conv on [mean; max];
- self-attention: 4 heads, each with q, k, v = 1x1 conv 28->7 (with bias).
"""
import math

import torch
from torch import nn

from .attention import ChannelAttention, SpatialAttention

PARAMETER_COUNT = 59_403


def conv_bn_relu(cin, cout, k, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class ResidualBlock(nn.Module):
    """Two 3x3 conv-BN-ReLU, 1x1 conv shortcut, then 2x2 max pooling."""

    def __init__(self, cin, cout):
        super().__init__()
        self.body = nn.Sequential(conv_bn_relu(cin, cout, 3), nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout))
        self.shortcut = nn.Conv2d(cin, cout, 1)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        return self.pool(torch.relu(self.body(x) + self.shortcut(x)))


def sinusoid_1d(size):
    """Paper eq. 9-10 taken literally: PE(2i) = sin(1/10000^(2i/d)), PE(2i+1) = cos(1/10000^(2i/d)), d = size."""
    pe = torch.zeros(size)
    for pos in range(size):
        i2 = pos - (pos % 2)
        angle = 1.0 / (10000 ** (i2 / size))
        pe[pos] = math.sin(angle) if pos % 2 == 0 else math.cos(angle)
    return pe


class MultiHeadChannelSelfAttention(nn.Module):
    """Per head h and channel c: att = softmax over all HxW entries of (q_c k_c^T + q_c r^T),
    output = att * v_c (element-wise); q_c, k_c, v_c are HxW matrices and r = p + p^T
    with p the fixed 1-D positional code broadcast along rows. Heads are concatenated."""

    def __init__(self, channels, heads, size):
        super().__init__()
        assert channels % heads == 0
        self.heads, self.head_channels = heads, channels // heads
        self.q = nn.ModuleList(nn.Conv2d(channels, self.head_channels, 1) for _ in range(heads))
        self.k = nn.ModuleList(nn.Conv2d(channels, self.head_channels, 1) for _ in range(heads))
        self.v = nn.ModuleList(nn.Conv2d(channels, self.head_channels, 1) for _ in range(heads))
        p = sinusoid_1d(size).expand(size, size)
        self.register_buffer('position', p + p.t(), persistent=False)

    def forward(self, x):
        n, _, h, w = x.shape
        outputs, maps = [], []
        for head in range(self.heads):
            q, k, v = self.q[head](x), self.k[head](x), self.v[head](x)
            logits = q @ k.transpose(-1, -2) + q @ self.position.t()
            att = torch.softmax(logits.flatten(2), dim=-1).view(n, self.head_channels, h, w)
            outputs.append(att * v)
            maps.append(att)
        return torch.cat(outputs, dim=1), torch.stack(maps, dim=1)


class AttentionResidualBlock(nn.Module):
    """ResNet-18-style block with the triplet attention between its two convolutions."""

    def __init__(self, cin, cout, heads, size):
        super().__init__()
        self.conv1 = conv_bn_relu(cin, cin, 3)
        self.channel = ChannelAttention(cin, hidden=1)
        self.spatial = SpatialAttention(kernel_size=3)
        self.self_attention = MultiHeadChannelSelfAttention(cin, heads, size)
        self.conv2 = nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout))
        self.shortcut = nn.Conv2d(cin, cout, 1)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        y = self.conv1(x)
        y, ca = self.channel(y)
        y, sa = self.spatial(y)
        y, selfa = self.self_attention(y)
        y = self.pool(torch.relu(self.conv2(y) + self.shortcut(x)))
        return y, ca, sa, selfa


class OffTANet(nn.Module):
    input_size = 112

    def __init__(self, num_classes=3):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 7, stride=2, padding=3), nn.ReLU(inplace=True), nn.BatchNorm2d(8))
        self.block1 = ResidualBlock(8, 18)
        self.block2 = ResidualBlock(18, 28)
        self.block3 = AttentionResidualBlock(28, 8, heads=4, size=14)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(8 * 7 * 7, 64), nn.ReLU(inplace=True),
                                        nn.Linear(64, 64), nn.ReLU(inplace=True), nn.Linear(64, num_classes))

    def forward(self, x):
        x = self.block2(self.block1(self.stem(x)))
        x, ca, sa, selfa = self.block3(x)
        return {'logits': self.classifier(x), 'channel_attention': ca, 'spatial_attention': sa,
                'self_attention': selfa}
