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


TORCHVISION_PARTS = {'conv1': 'body.0', 'bn1': 'body.1', 'conv2': 'body.3', 'bn2': 'body.4',
                     'downsample.0': 'shortcut.0', 'downsample.1': 'shortcut.1'}


def from_torchvision_resnet18(state, in_channels):
    """A torchvision ResNet-18 state dict (ImageNet weights, or one fine-tuned on CK+) under this trunk's names:
    conv1/bn1 -> trunk.0/1, layerL.b.* -> the trunk's (L, b) basic block, fc dropped. The RGB first convolution is
    averaged over its input channels and repeated for the flow's (the cross-modality initialisation of flow
    networks from RGB weights, Wang et al. 2016, TSN). A state dict with other names is returned unchanged."""
    if 'layer1.0.conv1.weight' not in state:
        return state
    out = {}
    for key, value in state.items():
        head, _, rest = key.partition('.')
        if head in ('conv1', 'bn1'):
            if key == 'conv1.weight' and value.shape[1] != in_channels:
                value = value.mean(dim=1, keepdim=True).repeat(1, in_channels, 1, 1)
            out[f"trunk.{0 if head == 'conv1' else 1}.{rest}"] = value
        elif head.startswith('layer'):
            block, _, name = rest.partition('.')
            part = next((p for p in TORCHVISION_PARTS if name.startswith(p + '.')), None)
            if part is not None:
                index = 4 + 2 * (int(head[5:]) - 1) + int(block)
                out[f'trunk.{index}.{TORCHVISION_PARTS[part]}{name[len(part):]}'] = value
    return out


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
