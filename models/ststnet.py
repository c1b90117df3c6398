"""STSTNet (Liong et al. 2019): shallow triple-stream network on onset->apex
(u, v, strain) at 28x28. Three parallel 3x3 conv streams (3, 5, 8 filters),
each ReLU -> BN -> 3x3/3 max pooling; concatenated 16 channels -> 2x2 average
pooling -> FC 400 -> classes. About 1.7k parameters; exposes no attention."""
import torch
from torch import nn


class STSTNet(nn.Module):
    input_size = 28

    def __init__(self, num_classes=3, filters=(3, 5, 8)):
        super().__init__()
        self.streams = nn.ModuleList(
            nn.Sequential(nn.Conv2d(3, f, 3, padding=1), nn.ReLU(inplace=True), nn.BatchNorm2d(f),
                          nn.MaxPool2d(3, 3, padding=1)) for f in filters)
        self.pool = nn.AvgPool2d(2)
        self.fc = nn.Linear(sum(filters) * 5 * 5, num_classes)

    def forward(self, x):
        x = torch.cat([s(x) for s in self.streams], dim=1)
        return {'logits': self.fc(self.pool(x).flatten(1))}
