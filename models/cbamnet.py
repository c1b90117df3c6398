"""CBAMNet (Chen et al. 2020): 3-D CNN on a magnified 16-frame RGB clip.
Six 3x3x3 conv layers (32, 32, 32, 64, 64, 64), each followed by BN, ReLU and
a 3-D pooling, then 3-D CBAM (channel + per-time-slice spatial attention),
then FC layers.

Two schedules (models/fidelity.py says which card uses which):
- 'paper': Table 1. Every pool is 2x2x2; Pool1 and Pool4 keep the size (stride 1,
  'same' padding), the others halve T, H and W: 64x64x16 -> 4x4x1 after Pool6,
  FC input 1,024. CBAM spatial kernel 7x7 per time slice (eq. 3).
- 'demo' (what the bundled demo was trained with): spatial /2 after layers 1-3,
  temporal /2 after layers 2, 4, 6 -> [64, T/8, H/8, W/8]; spatial kernel 3x3x3."""
from math import prod

from torch import nn

from .attention import CBAM

SAME = 'same'  # a 2x2x2 max pool with stride 1 that keeps the size (Table 1's Pool1 and Pool4)
SCHEDULES = {
    'paper': {'pools': (SAME, (2, 2, 2), (2, 2, 2), SAME, (2, 2, 2), (2, 2, 2)), 'kernel': (1, 7, 7)},
    'demo': {'pools': ((1, 2, 2), (2, 2, 2), (1, 2, 2), (2, 1, 1), (1, 1, 1), (2, 1, 1)), 'kernel': 3},
}


def pooling(pool):
    if pool == SAME:
        return [nn.ReplicationPad3d((0, 1, 0, 1, 0, 1)), nn.MaxPool3d((2, 2, 2), stride=1)]
    return [nn.MaxPool3d(pool)] if pool != (1, 1, 1) else []


class CBAMNet(nn.Module):
    def __init__(self, num_classes=3, frames=16, size=64, width=1.0, hidden=128, dropout=0.5, schedule='demo'):
        super().__init__()
        if schedule not in SCHEDULES:
            raise ValueError(f'unknown CBAMNet schedule {schedule!r} (one of {", ".join(SCHEDULES)})')
        pools, kernel = SCHEDULES[schedule]['pools'], SCHEDULES[schedule]['kernel']
        widths = [max(4, round(c * width)) for c in (32, 32, 32, 64, 64, 64)]
        layers, cin = [], 3
        for cout, pool in zip(widths, pools):
            layers += [nn.Conv3d(cin, cout, 3, padding=1), nn.BatchNorm3d(cout), nn.ReLU(inplace=True), *pooling(pool)]
            cin = cout
        self.features = nn.Sequential(*layers)
        self.cbam = CBAM(cin, reduction=8, kernel_size=kernel, dims=3)
        strides = [p for p in pools if p != SAME]
        t = frames // prod(p[0] for p in strides)
        s = size // prod(p[1] for p in strides)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(cin * t * s * s, hidden), nn.ReLU(inplace=True),
                                        nn.Dropout(dropout), nn.Linear(hidden, num_classes))

    def forward(self, x):
        x, ca, sa = self.cbam(self.features(x))
        return {'logits': self.classifier(x), 'channel_attention': ca, 'spatial_attention': sa}
