"""Preprocessing that turns a clip (onset..offset frames) into model inputs.

Every step is written to be reproducible bit-for-bit-ish in TypeScript; the
model card's `preprocessing` block names these steps and their parameters.

Conventions
- A frame is an HxWx3 uint8 BGR image (OpenCV order) or HxW uint8 gray.
- gray(): cv2.COLOR_BGR2GRAY (BT.601 luma, rounded to uint8).
- resize(): cv2.resize with INTER_CUBIC (bicubic, a = -0.75), result
  clipped and rounded to uint8.
- Optical flow (u, v) is in pixels of the resized frame: u along x (columns),
  v along y (rows); frame0(x) ~ frame1(x + (u, v)).
- TV-L1: OpenCV's DualTVL1 with its defaults (TVL1_PARAMS), on uint8 gray.
- Derivatives for strain: cv2.Sobel ksize 3 divided by 8 (so a unit ramp has
  derivative 1), border reflect-101.
- Temporal normalisation: linear interpolation between the two nearest
  frames at positions p_i = i (n - 1) / (T - 1), i = 0..T-1, of the n-frame
  clip; the result is rounded to uint8 as a frame would be.
"""
import cv2
import numpy as np

TVL1_PARAMS = {'tau': 0.25, 'lambda': 0.15, 'theta': 0.3, 'nscales': 5, 'warps': 5, 'epsilon': 0.01,
               'innerIterations': 30, 'outerIterations': 10, 'scaleStep': 0.8, 'gamma': 0.0,
               'medianFiltering': 5, 'useInitialFlow': False}
LK_PARAMS = {'window': 9, 'regularisation': 1e-3}


def gray(frame):
    return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


def resize(image, size):
    """size = (height, width)."""
    out = cv2.resize(image.astype(np.float32), (size[1], size[0]), interpolation=cv2.INTER_CUBIC)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _tvl1():
    create = getattr(cv2, 'optflow', cv2).DualTVL1OpticalFlow_create
    return create()


def tvl1_flow(frame0, frame1):
    """Dense TV-L1 flow frame0 -> frame1 on uint8 gray images; returns [2, H, W] float32 (u, v)."""
    flow = _tvl1().calc(gray(frame0), gray(frame1), None)
    return np.ascontiguousarray(flow.transpose(2, 0, 1))


def lk_flow(frame0, frame1, window=LK_PARAMS['window'], regularisation=LK_PARAMS['regularisation']):
    """Dense single-scale Lucas-Kanade: per pixel, solve the 2x2 normal equations
    sum_w [Ix Ix, Ix Iy; Ix Iy, Iy Iy] (u, v) = -sum_w [Ix It; Iy It] over a
    window x window box (reflect-101 border), Ix, Iy = Sobel/8 of the mean of
    the two frames, It = frame1 - frame0 (intensities in 0..255), with
    `regularisation` added to the diagonal."""
    f0, f1 = gray(frame0).astype(np.float32), gray(frame1).astype(np.float32)
    mean = 0.5 * (f0 + f1)
    ix, iy = _derivatives(mean)
    it = f1 - f0

    def box(a):
        return cv2.boxFilter(a, -1, (window, window), normalize=False, borderType=cv2.BORDER_REFLECT_101)

    a11, a12, a22 = box(ix * ix) + regularisation, box(ix * iy), box(iy * iy) + regularisation
    b1, b2 = -box(ix * it), -box(iy * it)
    det = a11 * a22 - a12 * a12
    u = (a22 * b1 - a12 * b2) / det
    v = (a11 * b2 - a12 * b1) / det
    return np.stack([u, v]).astype(np.float32)


def _derivatives(image):
    dx = cv2.Sobel(image, cv2.CV_32F, 1, 0, ksize=3, borderType=cv2.BORDER_REFLECT_101) / 8.0
    dy = cv2.Sobel(image, cv2.CV_32F, 0, 1, ksize=3, borderType=cv2.BORDER_REFLECT_101) / 8.0
    return dx, dy


STRAIN_VARIANTS = ('standard', 'off-tanet')


def optical_strain(flow, variant='standard'):
    """Magnitude of the optical strain of flow [2, H, W].
    standard:  sqrt(ux^2 + vy^2 + 1/2 (uy + vx)^2)
    off-tanet: sqrt(ux^2 + uy^2 + 1/2 (vx + uy)^2)  (Off-TANet's released code and weights; its paper's
    eq. 4 prints the standard formula)"""
    ux, uy = _derivatives(flow[0])
    vx, vy = _derivatives(flow[1])
    if variant == 'standard':
        return np.sqrt(ux ** 2 + vy ** 2 + 0.5 * (uy + vx) ** 2).astype(np.float32)
    if variant == 'off-tanet':
        return np.sqrt(ux ** 2 + uy ** 2 + 0.5 * (vx + uy) ** 2).astype(np.float32)
    raise ValueError(f'unknown strain variant {variant!r}')


def temporal_normalise(frames, length):
    """Resample a list of n frames to `length` frames by linear interpolation (uint8 out)."""
    n = len(frames)
    stack = np.stack(frames).astype(np.float32)
    out = []
    for i in range(length):
        p = i * (n - 1) / (length - 1) if length > 1 else 0.0
        lo = int(np.floor(p))
        hi = min(lo + 1, n - 1)
        w = p - lo
        out.append(np.clip(np.rint((1 - w) * stack[lo] + w * stack[hi]), 0, 255).astype(np.uint8))
    return out


def isdf(frames):
    """Image sequence difference feature: gray(frame_t) - gray(frame_0), float32 in -255..255."""
    g0 = gray(frames[0]).astype(np.float32)
    return np.stack([gray(f).astype(np.float32) - g0 for f in frames])


def magnify_onset_difference(frames, alpha, sigma):
    """Linear Eulerian-style magnification with the onset frame as the temporal
    reference: I_t + alpha * G_sigma * (I_t - I_0), computed in float on the
    given frames and rounded to uint8. G_sigma is cv2.GaussianBlur with kernel
    size 0 (derived from sigma) and reflect-101 borders."""
    f0 = frames[0].astype(np.float32)
    out = []
    for f in frames:
        diff = cv2.GaussianBlur(f.astype(np.float32) - f0, (0, 0), sigma, borderType=cv2.BORDER_REFLECT_101)
        out.append(np.clip(np.rint(f.astype(np.float32) + alpha * diff), 0, 255).astype(np.uint8))
    return out


def standardise_channels(x, epsilon=1e-6):
    """Per-sample, per-channel standardisation: channel axis 0; mean and
    population std over all other axes; (x - mean) / (std + epsilon)."""
    axes = tuple(range(1, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    std = x.std(axis=axes, keepdims=True)
    return ((x - mean) / (std + epsilon)).astype(np.float32)


def pool_flow(flow, factor):
    """Flow [2, H, W] computed at `factor` times the input size -> [2, H/factor, W/factor]: the mean over
    each factor x factor block (in float64), divided by `factor` so the vectors are in pixels of the
    smaller grid. Averaging is what takes TV-L1's per-pixel noise down while the motion keeps its share."""
    if factor == 1:
        return flow
    c, h, w = flow.shape
    blocks = flow.astype(np.float64).reshape(c, h // factor, factor, w // factor, factor)
    return (blocks.mean(axis=(2, 4)) / factor).astype(np.float32)


def flow_factor(size, flow_size):
    """The recipe's pooling factor: flow computed at `flow_size` (None: the input size) for an input of `size`."""
    if flow_size is None:
        return 1
    if flow_size % size:
        raise ValueError(f'flow size {flow_size} is not a multiple of the input size {size}')
    return flow_size // size


def flows_from_first(seq, method):
    """Flow from seq[0] to every frame of seq (step 0: zero flow): [2, T, H, W]."""
    flow = tvl1_flow if method == 'tvl1' else lk_flow
    h, w = seq[0].shape[:2]
    return np.stack([np.zeros((2, h, w), np.float32)] + [flow(seq[0], f) for f in seq[1:]], axis=1)


def flows_between_neighbours(seq, method):
    """Flow from each frame of seq to the next: [2, T-1, H, W] (T frames give T-1 flow steps, no zero step)."""
    flow = tvl1_flow if method == 'tvl1' else lk_flow
    return np.stack([flow(a, b) for a, b in zip(seq, seq[1:])], axis=1)


def onset_apex_flow_input(onset, apex, size, strain_variant, flow_size=None):
    """[3, size, size] = standardised (u, v, strain) of TV-L1 onset -> apex. The flow is computed on the
    frames resized to flow_size (default: size) and pooled to size; strain is taken on the pooled flow."""
    factor = flow_factor(size, flow_size)
    a, b = (resize(gray(f), (size * factor, size * factor)) for f in (onset, apex))
    flow = pool_flow(tvl1_flow(a, b), factor)
    x = np.concatenate([flow, optical_strain(flow, strain_variant)[None]])
    return standardise_channels(x)


def flow_sequence_input(frames, length, size, method='tvl1', flow_size=None, reference='onset'):
    """[2, T, size, size]: flow from the first temporally normalised frame to each
    frame t (t = 0 gives zero flow), or with reference 'previous' [2, T-1, size, size]: flow between
    neighbouring frames; computed at flow_size (default: size) and pooled to size,
    standardised per channel over T, H, W."""
    factor = flow_factor(size, flow_size)
    seq = [resize(gray(f), (size * factor, size * factor)) for f in temporal_normalise(frames, length)]
    flow = flows_from_first(seq, method) if reference == 'onset' else flows_between_neighbours(seq, method)
    x = np.stack([pool_flow(flow[:, t], factor) for t in range(flow.shape[1])], axis=1)
    return standardise_channels(x)


def frame_sequence_input(frames, length, size, alpha, sigma):
    """[3, T, size, size] RGB clip: temporal normalisation, bicubic resize,
    onset-difference magnification, /255, standardised per channel over T, H, W."""
    seq = [resize(f, (size, size)) for f in temporal_normalise(frames, length)]
    seq = magnify_onset_difference(seq, alpha, sigma) if alpha else seq
    x = np.stack([cv2.cvtColor(f, cv2.COLOR_BGR2RGB) for f in seq]).astype(np.float32) / 255.0
    return standardise_channels(x.transpose(3, 0, 1, 2))


def flow_isdf_input(frames, length, size, flow_size=None):
    """[3, T, size, size] = (u, v) LK flow from the first normalised frame to frame t (computed at
    flow_size, default size, and pooled to size), and ISDF at size; each channel standardised over T, H, W."""
    factor = flow_factor(size, flow_size)
    normalised = temporal_normalise(frames, length)
    seq = [resize(gray(f), (size, size)) for f in normalised]
    big = seq if factor == 1 else [resize(gray(f), (size * factor, size * factor)) for f in normalised]
    flow = flows_from_first(big, 'lk')
    flow = np.stack([pool_flow(flow[:, t], factor) for t in range(flow.shape[1])], axis=1)
    x = np.concatenate([flow, isdf(seq)[None]])
    return standardise_channels(x)
