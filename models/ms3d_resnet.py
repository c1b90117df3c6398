"""MS-3D-ResNet (Jin et al. 2024): 3-D ResNet-50 (bottleneck blocks 3-4-6-3) on
a 16-frame optical-flow sequence, with
- spatio-temporal attention after block 1 (stem): a temporal map [N, T'] and a
  spatial map [N, 1, H', W'] (both sigmoid) multiply the features;
- multi-scale modules RC1/RC2/RC3 after blocks 2/3/4, each a set of conv
  branches fused by learned scalar weights (paper eq. 3.8/3.9);
- attention feature fusion (AFF, two fusion passes = iterative AFF) of
  deconvolved X5->X4, X4->X3, X3->X2;
- four heads (X5 and the three fusions; GAP -> FC -> FC) and a discriminator
  that outputs the head whose softmax is most confident.
Input layout [N, 2, T, H, W] (u, v). `width` scales (64, 128, 256, 512)."""
import torch
from torch import nn
import torch.nn.functional as F


def conv_bn(cin, cout, k, stride=1, relu=True):
    k = (k,) * 3 if isinstance(k, int) else k
    layers = [nn.Conv3d(cin, cout, k, stride, tuple(s // 2 for s in k), bias=False), nn.BatchNorm3d(cout)]
    return nn.Sequential(*layers, nn.ReLU(inplace=True)) if relu else nn.Sequential(*layers)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, width, stride):
        super().__init__()
        cout = width * self.expansion
        self.body = nn.Sequential(conv_bn(cin, width, 1), conv_bn(width, width, 3, stride),
                                  conv_bn(width, cout, 1, relu=False))
        self.shortcut = nn.Identity() if stride == 1 and cin == cout else conv_bn(cin, cout, 1, stride, relu=False)

    def forward(self, x):
        return torch.relu(self.body(x) + self.shortcut(x))


class SpatioTemporalAttention(nn.Module):
    """Temporal: sigmoid(conv1d_k3 over T of [mean; max] pooled over C, H, W).
    Spatial: sigmoid(conv2d_k7 of [mean; max] pooled over C, T)."""

    def __init__(self):
        super().__init__()
        self.temporal = nn.Conv1d(2, 1, 3, padding=1, bias=False)
        self.spatial = nn.Conv2d(2, 1, 7, padding=3, bias=False)

    def forward(self, x):
        t_desc = torch.stack([x.mean(dim=(1, 3, 4)), x.amax(dim=(1, 3, 4))], dim=1)
        ta = torch.sigmoid(self.temporal(t_desc)).squeeze(1)
        x = x * ta[:, None, :, None, None]
        s_desc = torch.cat([x.mean(dim=(1, 2)).unsqueeze(1), x.amax(dim=(1, 2)).unsqueeze(1)], dim=1)
        sa = torch.sigmoid(self.spatial(s_desc))
        return x * sa.unsqueeze(2), ta, sa


class GlobalBranch(nn.Module):
    """Global average pooling -> 1x1x1 conv, broadcast back over T, H, W."""

    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv3d(c, c, 1)

    def forward(self, x):
        return self.conv(x.mean(dim=(2, 3, 4), keepdim=True)).expand_as(x)


def factorised(cin, cout, k):
    """k x k x k approximated by 1x1xk, 1xkx1, kx1x1 in series (paper's 'depth-separable')."""
    return nn.Sequential(conv_bn(cin, cin, (1, 1, k)), conv_bn(cin, cin, (1, k, 1)), conv_bn(cin, cout, (k, 1, 1)))


class WeightedBranches(nn.Module):
    """K = sum_i w_i X_i with learned scalar weights; the result is added to the input (residual)."""

    def __init__(self, branches):
        super().__init__()
        self.branches = nn.ModuleList(branches)
        self.weights = nn.Parameter(torch.full((len(branches),), 1.0 / len(branches)))

    def outputs(self, x):
        return [b(x) for b in self.branches]

    def forward(self, x):
        return x + sum(self.weights[i] * y for i, y in enumerate(self.outputs(x)))


def rc1(c):
    r = max(1, c // 4)
    return WeightedBranches([conv_bn(c, c, 1),
                             nn.Sequential(conv_bn(c, r, 1), conv_bn(r, c, 3)),
                             nn.Sequential(conv_bn(c, r, 1), conv_bn(r, r, 3), conv_bn(r, c, 3)),
                             GlobalBranch(c)])


def rc2(c):
    r = max(1, c // 4)
    return WeightedBranches([conv_bn(c, c, 1), GlobalBranch(c),
                             nn.Sequential(conv_bn(c, r, 1), factorised(r, c, 7)),
                             nn.Sequential(conv_bn(c, r, 1), factorised(r, r, 7), factorised(r, c, 7))])


class DirectionalSplit(nn.Module):
    """Three outputs from transverse (1x1x3), longitudinal (1x3x1) and radial (3x1x1) convs."""

    def __init__(self, cin, cout):
        super().__init__()
        self.convs = nn.ModuleList(conv_bn(cin, cout, k) for k in ((1, 1, 3), (1, 3, 1), (3, 1, 1)))

    def forward(self, x):
        return [conv(x) for conv in self.convs]


class RC3(WeightedBranches):
    """Four branches, eight outputs: (1x1 -> factorised 3 -> three directional),
    (1x1 -> three directional), 1x1, global pooling."""

    def __init__(self, c):
        r = max(1, c // 4)
        super().__init__([nn.Sequential(conv_bn(c, r, 1), factorised(r, r, 3)), conv_bn(c, r, 1),
                          conv_bn(c, c, 1), GlobalBranch(c)])
        self.split1, self.split2 = DirectionalSplit(r, c), DirectionalSplit(r, c)
        self.weights = nn.Parameter(torch.full((8,), 1.0 / 8))

    def outputs(self, x):
        b1, b2, b3, b4 = (b(x) for b in self.branches)
        return [*self.split1(b1), *self.split2(b2), b3, b4]


class ChannelWeights(nn.Module):
    """sigmoid(MLP(GAP(x)) + MLP(GMP(x))) with 2-layer point-wise conv MLPs, a BatchNorm after each point-wise
    conv: L(X) = B(f(relu(B(f(pool(X)))))), paper eq. 3.10."""

    def __init__(self, c, reduction=4):
        super().__init__()
        r = max(1, c // reduction)

        def mlp():
            return nn.Sequential(nn.Conv3d(c, r, 1), nn.BatchNorm3d(r), nn.ReLU(inplace=True), nn.Conv3d(r, c, 1),
                                 nn.BatchNorm3d(c))
        self.avg, self.max = mlp(), mlp()

    def forward(self, x):
        return torch.sigmoid(self.avg(x.mean(dim=(2, 3, 4), keepdim=True)) +
                             self.max(x.amax(dim=(2, 3, 4), keepdim=True)))


class AttentionFeatureFusion(nn.Module):
    """Deconvolve the deeper map to the shallower one's size, then two fusion passes:
    Z = M1(X+Y) X + (1-M1) Y; out = M2(Z) X + (1-M2) Y. Returns (out, M2 as [N, C])."""

    def __init__(self, c_deep, c_shallow, stride):
        super().__init__()
        self.up = nn.ConvTranspose3d(c_deep, c_shallow, stride, stride)
        self.first, self.second = ChannelWeights(c_shallow), ChannelWeights(c_shallow)

    def forward(self, deep, shallow):
        x = self.up(deep)
        x = F.interpolate(x, size=shallow.shape[2:]) if x.shape[2:] != shallow.shape[2:] else x
        m1 = self.first(x + shallow)
        z = m1 * x + (1 - m1) * shallow
        m2 = self.second(z)
        return m2 * x + (1 - m2) * shallow, m2.flatten(1)


class Head(nn.Module):
    def __init__(self, c, num_classes, hidden):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(c, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.fc(x.mean(dim=(2, 3, 4)))


class MS3DResNet(nn.Module):
    def __init__(self, num_classes=3, in_channels=2, width=1.0, blocks=(3, 4, 6, 3), hidden=None):
        super().__init__()
        w = [max(2, round(c * width)) for c in (64, 128, 256, 512)]
        self.stem = nn.Sequential(conv_bn(in_channels, w[0], (3, 7, 7), (1, 2, 2)), nn.MaxPool3d((1, 3, 3), (1, 2, 2), (0, 1, 1)))
        self.st_attention = SpatioTemporalAttention()
        stages, cin = [], w[0]
        for i, (width_i, n) in enumerate(zip(w, blocks)):
            layers = []
            for j in range(n):
                layers.append(Bottleneck(cin, width_i, 2 if (i > 0 and j == 0) else 1))
                cin = width_i * Bottleneck.expansion
            stages.append(nn.Sequential(*layers))
        self.block2, self.block3, self.block4, self.block5 = stages
        c2, c3, c4, c5 = (x * Bottleneck.expansion for x in w)
        self.rc1, self.rc2, self.rc3 = rc1(c2), rc2(c3), RC3(c4)
        self.aff54, self.aff43, self.aff32 = (AttentionFeatureFusion(c5, c4, 2), AttentionFeatureFusion(c4, c3, 2),
                                              AttentionFeatureFusion(c3, c2, 2))
        hidden = hidden or max(16, c5 // 4)
        self.heads = nn.ModuleList(Head(c, num_classes, hidden) for c in (c5, c4, c3, c2))

    def forward(self, x):
        x, ta, sa = self.st_attention(self.stem(x))
        x2 = self.rc1(self.block2(x))
        x3 = self.rc2(self.block3(x2))
        x4 = self.rc3(self.block4(x3))
        x5 = self.block5(x4)
        f4, w54 = self.aff54(x5, x4)
        f3, w43 = self.aff43(x4, x3)
        f2, w32 = self.aff32(x3, x2)
        head_logits = torch.stack([h(f) for h, f in zip(self.heads, (x5, f4, f3, f2))], dim=1)
        # Discriminator: pick the head with the most confident softmax for each sample.
        confidence = torch.softmax(head_logits, dim=-1).amax(dim=-1)
        pick = confidence.argmax(dim=1)
        logits = torch.gather(head_logits, 1, pick[:, None, None].expand(-1, 1, head_logits.shape[-1])).squeeze(1)
        return {'logits': logits, 'head_logits': head_logits, 'temporal_attention': ta, 'spatial_attention': sa,
                'aff_weights_5_4': w54, 'aff_weights_4_3': w43, 'aff_weights_3_2': w32}
