"""CBAMNet (Chen et al. 2020): 3-D CNN on a magnified 16-frame RGB clip.
Six 3x3x3 conv layers (32, 32, 32, 64, 64, 64), each followed by BN, ReLU and
a 3-D pooling, then 3-D CBAM (channel + per-time-slice spatial attention),
then FC layers.

Pooling as in Table 1: every pool is 2x2x2; Pool1 and Pool4 keep the size
(stride 1, 'same' padding), the others halve T, H and W: 64x64x16 -> 4x4x1
after Pool6, FC input 1,024 at full width. CBAM spatial kernel 7x7 per time
slice (eq. 3). The demo config uses the same layers at a quarter of the width
(the earlier demo's own schedule, 8x8x2 after conv6 with a 3x3x3 kernel, was
dropped when the demo was retrained on multi-identity data)."""
from torch import nn

from .attention import CBAM

SAME = 'same'  # a 2x2x2 max pool with stride 1 that keeps the size (Table 1's Pool1 and Pool4)
POOLS = (SAME, (2, 2, 2), (2, 2, 2), SAME, (2, 2, 2), (2, 2, 2))
HALVINGS = sum(p != SAME for p in POOLS)  # T, H and W are divided by 2**HALVINGS


def pooling(pool):
    if pool == SAME:
        return [nn.ReplicationPad3d((0, 1, 0, 1, 0, 1)), nn.MaxPool3d((2, 2, 2), stride=1)]
    return [nn.MaxPool3d(pool)]


class CBAMNet(nn.Module):
    def __init__(self, num_classes=3, frames=16, size=64, width=1.0, hidden=128, dropout=0.5):
        super().__init__()
        if frames % 2 ** HALVINGS or size % 2 ** HALVINGS:
            raise ValueError(f'CBAMNet needs frames and size divisible by {2 ** HALVINGS} (Table 1 halves them '
                             f'{HALVINGS} times); got frames {frames}, size {size}')
        widths = [max(4, round(c * width)) for c in (32, 32, 32, 64, 64, 64)]
        layers, cin = [], 3
        for cout, pool in zip(widths, POOLS):
            layers += [nn.Conv3d(cin, cout, 3, padding=1), nn.BatchNorm3d(cout), nn.ReLU(inplace=True), *pooling(pool)]
            cin = cout
        self.features = nn.Sequential(*layers)
        self.cbam = CBAM(cin, reduction=8, kernel_size=(1, 7, 7), dims=3)
        t, s = frames // 2 ** HALVINGS, size // 2 ** HALVINGS
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(cin * t * s * s, hidden), nn.ReLU(inplace=True),
                                        nn.Dropout(dropout), nn.Linear(hidden, num_classes))

    def forward(self, x):
        x, ca, sa = self.cbam(self.features(x))
        return {'logits': self.classifier(x), 'channel_attention': ca, 'spatial_attention': sa}
