"""CBAMNet (Chen et al. 2020): 3-D CNN on a magnified 16-frame RGB clip.
Six 3x3x3 conv layers (32, 32, 32, 64, 64, 64), each followed by BN, ReLU and
a 3-D pooling, then 3-D CBAM (channel + per-time-slice spatial attention),
then FC layers. Pooling schedule (the paper gives none): spatial /2 after
layers 1-3, temporal /2 after layers 2, 4, 6 -> [64, T/8, H/8, W/8], so the
spatial attention keeps an 8x8 grid at the paper's 64x64 input."""
from torch import nn

from .attention import CBAM

POOLS = ((1, 2, 2), (2, 2, 2), (1, 2, 2), (2, 1, 1), (1, 1, 1), (2, 1, 1))


class CBAMNet(nn.Module):
    def __init__(self, num_classes=3, frames=16, size=64, width=1.0, hidden=128, dropout=0.5):
        super().__init__()
        widths = [max(4, round(c * width)) for c in (32, 32, 32, 64, 64, 64)]
        layers, cin = [], 3
        for cout, pool in zip(widths, POOLS):
            layers += [nn.Conv3d(cin, cout, 3, padding=1), nn.BatchNorm3d(cout), nn.ReLU(inplace=True)]
            if pool != (1, 1, 1):
                layers.append(nn.MaxPool3d(pool))
            cin = cout
        self.features = nn.Sequential(*layers)
        self.cbam = CBAM(cin, reduction=8, kernel_size=3, dims=3)
        t, s = frames // 8, size // 8
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(cin * t * s * s, hidden), nn.ReLU(inplace=True),
                                        nn.Dropout(dropout), nn.Linear(hidden, num_classes))

    def forward(self, x):
        x, ca, sa = self.cbam(self.features(x))
        return {'logits': self.classifier(x), 'channel_attention': ca, 'spatial_attention': sa}
