"""CBAM-style attention blocks (Woo et al. 2018) shared by several models.

Every block returns (output, attention_map) so models can expose the map as a
named ONNX output. `dims` selects 2-D ([N,C,H,W]) or 3-D ([N,C,T,H,W]) tensors.
"""
import torch
from torch import nn


def _conv(dims):
    return nn.Conv2d if dims == 2 else nn.Conv3d


class ChannelAttention(nn.Module):
    """sigmoid(MLP(avgpool(x)) + MLP(maxpool(x))); MLP = two 1x1 convs, no bias."""

    def __init__(self, channels, reduction=16, dims=2, hidden=None):
        super().__init__()
        hidden = hidden or max(1, channels // reduction)
        conv = _conv(dims)
        k = (1,) * dims
        self.mlp = nn.Sequential(conv(channels, hidden, k, bias=False), nn.ReLU(inplace=True),
                                 conv(hidden, channels, k, bias=False))
        self.dims = dims

    def forward(self, x):
        reduce_dims = tuple(range(2, 2 + self.dims))
        avg = x.mean(dim=reduce_dims, keepdim=True)
        mx = x.amax(dim=reduce_dims, keepdim=True)
        att = torch.sigmoid(self.mlp(avg) + self.mlp(mx))
        return x * att, att.flatten(1)


class SpatialAttention(nn.Module):
    """sigmoid(conv([mean_c(x); max_c(x)])); one map shared by all channels. The conv pads by
    replicating the border (CBAM pads with zeros): with zero padding the border positions see fewer
    terms, so a map pushed down everywhere (e.g. by a sparsity penalty) stays highest at the borders."""

    def __init__(self, kernel_size=7, dims=2):
        super().__init__()
        padding = tuple(k // 2 for k in kernel_size) if isinstance(kernel_size, tuple) else kernel_size // 2
        self.conv = _conv(dims)(2, 1, kernel_size, padding=padding, bias=False, padding_mode='replicate')

    def forward(self, x):
        desc = torch.cat([x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)], dim=1)
        att = torch.sigmoid(self.conv(desc))
        return x * att, att


class CBAM(nn.Module):
    """Channel attention followed by spatial attention (the CBAM order)."""

    def __init__(self, channels, reduction=16, kernel_size=7, dims=2):
        super().__init__()
        self.channel = ChannelAttention(channels, reduction, dims)
        self.spatial = SpatialAttention(kernel_size, dims)

    def forward(self, x):
        x, ca = self.channel(x)
        x, sa = self.spatial(x)
        return x, ca, sa
