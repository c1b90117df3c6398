"""ASTNet (Ren et al. 2024): per-frame ResNet-18 trunk on an 11-step optical
flow sequence -> CBAM (channel then spatial) + dropout -> ConvLSTM over time
(unrolled, so it exports to plain ONNX ops) -> global average pool -> FC.
Input layout [N, 2, T, H, W] (flow u, v). `width` scales the ResNet-18 widths
(64, 128, 256, 512) and `stages` < 4 drops the last stages (reduced configs);
the ConvLSTM hidden size equals the trunk's output width."""
import torch
from torch import nn

from .attention import CBAM


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout),
                                  nn.ReLU(inplace=True), nn.Conv2d(cout, cout, 3, 1, 1, bias=False),
                                  nn.BatchNorm2d(cout))
        self.shortcut = (nn.Identity() if stride == 1 and cin == cout else
                         nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)))

    def forward(self, x):
        return torch.relu(self.body(x) + self.shortcut(x))


def resnet18_trunk(in_channels, width, stages=4):
    """ResNet-18 up to `stages` of its 4 stages (4 = the full trunk, output stride 32)."""
    w = [max(4, round(c * width)) for c in (64, 128, 256, 512)][:stages]
    layers = [nn.Conv2d(in_channels, w[0], 7, 2, 3, bias=False), nn.BatchNorm2d(w[0]), nn.ReLU(inplace=True),
              nn.MaxPool2d(3, 2, 1)]
    cin = w[0]
    for i, cout in enumerate(w):
        layers += [BasicBlock(cin, cout, 1 if i == 0 else 2), BasicBlock(cout, cout, 1)]
        cin = cout
    return nn.Sequential(*layers), cin


class ConvLSTMCell(nn.Module):
    """Gates i, f, o and candidate g from one conv over [x_t; h_{t-1}] (Shi et al. 2015, no peepholes)."""

    def __init__(self, cin, hidden, kernel_size=3):
        super().__init__()
        self.hidden = hidden
        self.gates = nn.Conv2d(cin + hidden, 4 * hidden, kernel_size, padding=kernel_size // 2)

    def forward(self, x, h, c):
        i, f, o, g = torch.chunk(self.gates(torch.cat([x, h], dim=1)), 4, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        return h, c


class ASTNet(nn.Module):
    def __init__(self, num_classes=3, frames=11, in_channels=2, width=1.0, stages=4, dropout=0.5):
        super().__init__()
        self.frames = frames
        self.trunk, channels = resnet18_trunk(in_channels, width, stages)
        self.cbam = CBAM(channels, reduction=16 if channels >= 64 else 4, kernel_size=7)
        self.dropout = nn.Dropout(dropout)
        self.lstm = ConvLSTMCell(channels, channels)
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x):
        n, c, t, h, w = x.shape
        frames = x.permute(0, 2, 1, 3, 4).reshape(n * t, c, h, w)
        feats, ca, sa = self.cbam(self.trunk(frames))
        feats = self.dropout(feats)
        feats = feats.view(n, t, *feats.shape[1:])
        hid = torch.zeros_like(feats[:, 0])
        cell = torch.zeros_like(hid)
        for step in range(self.frames):
            hid, cell = self.lstm(feats[:, step], hid, cell)
        logits = self.fc(hid.mean(dim=(2, 3)))
        return {'logits': logits, 'channel_attention': ca.view(n, t, -1),
                'spatial_attention': sa.view(n, t, *sa.shape[2:])}
