"""AST+SVMNet (Xue et al. 2024): a fusion attention module (FAM) and parallel
2-D/3-D Inception modules extract spatio-temporal features from a 10-frame
[u, v, ISDF] sequence; an SVM on those features classifies.

- FAM on the input, as in the paper's Fig. 3 (input X of 10x192x192, the frames
  as its channels): channel attention (CAM) = batch norm, average and max pooling
  to one value per frame, a shared MLP, softmax over the frames -> one weight per
  frame; it multiplies the input ("sampling"). Spatial attention (SAM) = batch
  norm, average and max pooling over the frames (and the u, v, ISDF channels) to
  two HxW maps, one conv each ("separable"), added, softmax over H x W -> one map;
  it multiplies the sampled input. Softmax weights are rescaled by the number of
  entries so that uniform attention is the identity.
- Down-sampling after the FAM: 1x3x3 conv + 1xFxF max pooling to the paper's
  32x32 working size (F = input size / 32; 192 -> 32 in the paper).
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
    """FAM on [N, C, T, H, W]: CAM weights the T frames (the paper's 10x1x1), SAM one HxW map (its 1x192x192)."""

    def __init__(self, channels, frames, kernel_size=7):
        super().__init__()
        hidden = max(1, frames // 2)
        self.channel_norm = nn.BatchNorm3d(channels)
        self.mlp = nn.Sequential(nn.Linear(frames, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, frames))
        self.spatial_norm = nn.BatchNorm3d(channels)
        # the separable SAM's two convs, on the average-pooled and on the max-pooled map
        self.spatial = nn.ModuleList(nn.Conv2d(1, 1, kernel_size, padding=kernel_size // 2, padding_mode='replicate')
                                     for _ in range(2))

    def forward(self, x):
        n, _, t, h, w = x.shape
        z = self.channel_norm(x)
        ca = torch.softmax(self.mlp(z.mean(dim=(1, 3, 4))) + self.mlp(z.amax(dim=(1, 3, 4))), dim=1)
        x = x * (ca * t)[:, None, :, None, None]
        z = self.spatial_norm(x)
        avg, mx = self.spatial
        logits = avg(z.mean(dim=(1, 2))[:, None]) + mx(z.amax(dim=(1, 2))[:, None])
        sa = torch.softmax(logits.flatten(1), dim=1).view(n, 1, h, w)
        return x * (sa * (h * w))[:, :, None], ca, sa


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
    def __init__(self, num_classes=3, in_channels=3, frames=10, size=192, width=1.0, working_size=32):
        super().__init__()
        if size % working_size:
            raise ValueError(f'input size {size} must be a multiple of the working size {working_size}')
        self.fam = FusionAttention(in_channels, frames)
        c, factor = max(4, round(32 * width)), size // working_size
        stem = conv_bn(in_channels, c, (1, 3, 3))
        self.down = nn.Sequential(stem, nn.MaxPool3d((1, factor, factor))) if factor > 1 else stem
        branch = max(2, round(16 * width))
        self.inception2d = Inception(c, branch, temporal=False)
        self.inception3d = Inception(c, branch, temporal=True)
        self.feature_dim = 8 * branch
        self.head = nn.Linear(self.feature_dim, num_classes)

    def forward(self, x):
        x, ca, sa = self.fam(x)
        x = self.down(x)
        feats = torch.cat([self.inception2d(x), self.inception3d(x)], dim=1).mean(dim=(2, 3, 4))
        return {'features': feats, 'logits': self.head(feats), 'channel_attention': ca, 'spatial_attention': sa}
