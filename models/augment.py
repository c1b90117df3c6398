"""Training-set augmentation of model inputs (models.train --augment; the papers' recipes in
models/fidelity.py). Applied to the training folds only, after the split. Works on one input
tensor per sample ([C, H, W] or [C, T, H, W]) with the card's channel names: a flip or rotation
of the image also turns the flow vectors (channels 'u', 'v'); other channels are scalars.

- vflip: adds a vertically flipped copy of every sample (v negated).
- hflip: adds a mirrored copy (u negated).
- shift:P: adds a copy of every sample shifted by P pixels of the input left, right, up or down
  (direction drawn per sample), borders replicated: a moved face box.
- mirror-rotate-crop:N: N - 1 further copies of every sample, each mirrored with probability 1/2,
  rotated by an angle drawn from +-10 degrees and cropped to a centred square of 90-100 % of the
  side, resized back (bilinear); flow vectors are turned and scaled with the image.
- subsequence:N: per class, random sub-windows of at least half the frames of random samples,
  resampled to the full length by linear interpolation, until the class has N samples
  (sequence inputs only)."""
import math

import numpy as np
import torch
import torch.nn.functional as F

KINDS = ('vflip', 'hflip', 'shift', 'mirror-rotate-crop', 'subsequence')
NEEDS_COUNT = ('shift', 'mirror-rotate-crop', 'subsequence')


def parse(text):
    """'vflip,shift:15' -> [('vflip', None), ('shift', 15)]; 'none' or '' -> []."""
    out = []
    for item in filter(None, (t.strip() for t in (text or '').split(','))):
        if item == 'none':
            continue
        name, _, arg = item.partition(':')
        if name not in KINDS:
            raise ValueError(f'unknown augmentation {name!r} (one of {", ".join(KINDS)})')
        if (name in NEEDS_COUNT) != bool(arg):
            raise ValueError(f"augmentation {name!r} {'needs' if name in NEEDS_COUNT else 'takes no'} ':N'")
        if arg and (not arg.isdigit() or int(arg) < 1):
            raise ValueError(f'augmentation {name!r}: {arg!r} is not a positive integer')
        out.append((name, int(arg) if arg else None))
    return out


def text(kinds):
    return ','.join(n if a is None else f'{n}:{a}' for n, a in kinds) or 'none'


def _flow_axes(channels):
    return (channels.index('u') if 'u' in channels else None, channels.index('v') if 'v' in channels else None)


def _flip(x, channels, axis, vector):
    out = np.flip(x, axis=axis).copy()
    c = _flow_axes(channels)[vector]
    if c is not None:
        out[:, c] *= -1
    return out


def _shift(x, pixels, rng):
    h, w = x.shape[-2:]
    pad = [(0, 0)] * (x.ndim - 2) + [(pixels, pixels), (pixels, pixels)]
    padded = np.pad(x, pad, mode='edge')
    out = np.empty_like(x)
    for i, (dy, dx) in enumerate(rng.choice([(0, -1), (0, 1), (-1, 0), (1, 0)], size=len(x))):
        y0, x0 = pixels + dy * pixels, pixels + dx * pixels
        out[i] = padded[i, ..., y0:y0 + h, x0:x0 + w]
    return out


def _mirror_rotate_crop(x, channels, copies, rng):
    n, shape = len(x), x.shape
    flat = torch.from_numpy(x.reshape(n, -1, *shape[-2:]))  # [N, C*T, H, W]: one transform for every frame
    u, v = _flow_axes(channels)
    out = []
    for _ in range(copies - 1):
        mirror = np.where(rng.random(n) < 0.5, -1.0, 1.0)
        angle = np.radians(rng.uniform(-10, 10, n))
        scale = rng.uniform(0.9, 1.0, n)
        # output pixel p samples the input at A p (normalised coordinates): the content moves by A^-1
        a = np.stack([np.stack([scale * np.cos(angle) * mirror, -scale * np.sin(angle)], -1),
                      np.stack([scale * np.sin(angle) * mirror, scale * np.cos(angle)], -1)], 1)
        theta = torch.from_numpy(np.concatenate([a, np.zeros((n, 2, 1))], 2)).float()
        grid = F.affine_grid(theta, list(flat.shape), align_corners=False)
        y = F.grid_sample(flat, grid, mode='bilinear', padding_mode='border', align_corners=False)
        y = y.reshape(shape).numpy().copy()
        if u is not None and v is not None:
            inv = np.linalg.inv(a)
            fu, fv = y[:, u].copy(), y[:, v].copy()
            bc = (slice(None),) + (None,) * (fu.ndim - 1)
            y[:, u] = inv[:, 0, 0][bc] * fu + inv[:, 0, 1][bc] * fv
            y[:, v] = inv[:, 1, 0][bc] * fu + inv[:, 1, 1][bc] * fv
        out.append(y)
    return np.concatenate([x, *out])


def _subsequence(x, y, target, rng):
    if x.ndim != 5:
        raise ValueError('subsequence augmentation needs sequence inputs [C, T, H, W]')
    t = x.shape[2]
    new_x, new_y = [x], [y]
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        for _ in range(max(0, target - len(members))):
            src = x[rng.choice(members)]
            length = rng.integers(max(2, t // 2), t + 1)
            start = rng.integers(0, t - length + 1)
            pos = start + np.linspace(0, length - 1, t)
            lo = np.floor(pos).astype(int)
            hi = np.minimum(lo + 1, t - 1)
            frac = (pos - lo)[None, :, None, None]
            new_x.append((src[:, lo] * (1 - frac) + src[:, hi] * frac)[None].astype(x.dtype))
            new_y.append(np.array([label]))
    return np.concatenate(new_x), np.concatenate(new_y)


def augment(x, y, channels, kinds, seed=0):
    """x [N, C, ...] float32, y [N] -> the augmented (x, y), originals first."""
    rng = np.random.default_rng(seed)
    for name, arg in kinds:
        if name == 'vflip':
            x, y = np.concatenate([x, _flip(x, channels, -2, 1)]), np.concatenate([y, y])
        elif name == 'hflip':
            x, y = np.concatenate([x, _flip(x, channels, -1, 0)]), np.concatenate([y, y])
        elif name == 'shift':
            x, y = np.concatenate([x, _shift(x, arg, rng)]), np.concatenate([y, y])
        elif name == 'mirror-rotate-crop':
            x, y = _mirror_rotate_crop(x, channels, arg, rng), np.tile(y, arg)
        else:
            x, y = _subsequence(x, y, arg, rng)
    return x.astype(np.float32), y
