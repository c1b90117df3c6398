"""AST+SVMNet (Xue et al. 2024): a fusion attention module (FAM) and parallel
2-D/3-D Inception modules extract spatio-temporal features from a 10-frame
[u, v, ISDF] sequence; an SVM on those features classifies.

- Stem: 1x3x3 conv + 1xFxF max pooling down to the paper's 32x32 working size
  (F = input size / 32; 192 -> 32 in the paper).
- FAM: channel attention (softmax over channels) multiplies the features
  ("sampling"), then spatial attention (softmax over H x W per frame)
  multiplies again. Softmax weights are rescaled by the number of entries so
  that uniform attention is the identity.
- Inception: 2-D branch (1xkxk kernels, k = 1, 3, 5 and pooling) and 3-D
  branch (kxkxk kernels), concatenated; global average pooling -> features.
- Training: a linear softmax head on the features trains the extractor; the
  SVM is then fitted on the frozen features (see `svm.py`).
"""
import torch
from torch import nn


def conv_bn(cin, cout, k, stride=1):
    pad = tuple(s // 2 for s in k)
    return nn.Sequential(nn.Conv3d(cin, cout, k, stride, pad, bias=False), nn.BatchNorm3d(cout), nn.ReLU(inplace=True))


class FusionAttention(nn.Module):
    def __init__(self, c, reduction=4):
        super().__init__()
        r = max(1, c // reduction)
        self.mlp = nn.Sequential(nn.Conv3d(c, r, 1), nn.ReLU(inplace=True), nn.Conv3d(r, c, 1))
        self.spatial = nn.Conv3d(2, 1, (1, 7, 7), padding=(0, 3, 3))

    def forward(self, x):
        n, c, t, h, w = x.shape
        ca = torch.softmax((self.mlp(x.mean(dim=(2, 3, 4), keepdim=True)) +
                            self.mlp(x.amax(dim=(2, 3, 4), keepdim=True))).flatten(1), dim=1)
        x = x * (ca * c)[:, :, None, None, None]
        desc = torch.cat([x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)], dim=1)
        sa = torch.softmax(self.spatial(desc).flatten(3), dim=-1).view(n, 1, t, h, w)
        return x * (sa * (h * w)), ca, sa


class Inception(nn.Module):
    """Branches 1, 3, 5 (5 as two stacked 3s) and 3x3 max pooling -> 1x1; `temporal` picks kxkxk vs 1xkxk."""

    def __init__(self, cin, branch, temporal):
        super().__init__()
        k3 = (3, 3, 3) if temporal else (1, 3, 3)
        one = (1, 1, 1)
        self.b1 = conv_bn(cin, branch, one)
        self.b3 = nn.Sequential(conv_bn(cin, branch, one), conv_bn(branch, branch, k3))
        self.b5 = nn.Sequential(conv_bn(cin, branch, one), conv_bn(branch, branch, k3), conv_bn(branch, branch, k3))
        self.bp = nn.Sequential(nn.MaxPool3d(k3, 1, tuple(s // 2 for s in k3)), conv_bn(cin, branch, one))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b3(x), self.b5(x), self.bp(x)], dim=1)


class ASTSVMNetFeatures(nn.Module):
    def __init__(self, num_classes=3, in_channels=3, size=192, width=1.0, working_size=32):
        super().__init__()
        c = max(4, round(32 * width))
        if size % working_size:
            raise ValueError(f'input size {size} must be a multiple of the working size {working_size}')
        factor = size // working_size
        stem = conv_bn(in_channels, c, (1, 3, 3))
        self.stem = nn.Sequential(stem, nn.MaxPool3d((1, factor, factor))) if factor > 1 else stem
        self.fam = FusionAttention(c)
        branch = max(2, round(16 * width))
        self.inception2d = Inception(c, branch, temporal=False)
        self.inception3d = Inception(c, branch, temporal=True)
        self.feature_dim = 8 * branch
        self.head = nn.Linear(self.feature_dim, num_classes)

    def forward(self, x):
        x, ca, sa = self.fam(self.stem(x))
        feats = torch.cat([self.inception2d(x), self.inception3d(x)], dim=1).mean(dim=(2, 3, 4))
        return {'features': feats, 'logits': self.head(feats), 'channel_attention': ca, 'spatial_attention': sa}
