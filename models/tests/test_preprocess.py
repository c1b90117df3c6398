import cv2
import numpy as np
import pytest

from models import preprocess as pp


def texture(size=64, seed=0):
    rng = np.random.default_rng(seed)
    noise = rng.uniform(0, 255, (size, size)).astype(np.float32)
    return cv2.GaussianBlur(noise, (0, 0), 2.0) * 3 - 255


def shifted(image, dx, dy):
    m = np.float32([[1, 0, dx], [0, 1, dy]])
    out = cv2.warpAffine(image, m, image.shape[::-1], flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT_101)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def test_tvl1_and_lk_recover_a_subpixel_shift():
    base = texture()
    a, b = shifted(base, 0, 0), shifted(base, 0.6, -0.4)
    for flow in (pp.tvl1_flow(a, b), pp.lk_flow(a, b)):
        inner = flow[:, 8:-8, 8:-8]
        assert abs(np.median(inner[0]) - 0.6) < 0.1
        assert abs(np.median(inner[1]) + 0.4) < 0.1


def test_strain_variants_on_an_affine_flow():
    yy, xx = np.mgrid[0:32, 0:32].astype(np.float32)
    # u = 0.1 x + 0.2 y, v = 0.3 x + 0.05 y: ux .1, uy .2, vx .3, vy .05
    flow = np.stack([0.1 * xx + 0.2 * yy, 0.3 * xx + 0.05 * yy])
    standard = pp.optical_strain(flow, 'standard')[4:-4, 4:-4]
    off = pp.optical_strain(flow, 'off-tanet')[4:-4, 4:-4]
    assert np.allclose(standard, np.sqrt(0.1 ** 2 + 0.05 ** 2 + 0.5 * (0.2 + 0.3) ** 2), atol=1e-5)
    assert np.allclose(off, np.sqrt(0.1 ** 2 + 0.2 ** 2 + 0.5 * (0.3 + 0.2) ** 2), atol=1e-5)


def test_temporal_normalise_interpolates_linearly():
    frames = [np.full((2, 2), v, np.uint8) for v in (0, 100, 200)]
    out = pp.temporal_normalise(frames, 5)
    assert [int(f[0, 0]) for f in out] == [0, 50, 100, 150, 200]


def test_isdf_and_standardise():
    frames = [np.full((4, 4), v, np.uint8) for v in (10, 30)]
    assert np.all(pp.isdf(frames)[1] == 20)
    x = pp.standardise_channels(np.random.default_rng(0).normal(3, 2, (2, 5, 5)).astype(np.float32))
    assert np.allclose(x.mean(axis=(1, 2)), 0, atol=1e-5) and np.allclose(x.std(axis=(1, 2)), 1, atol=1e-4)


def test_model_inputs_have_the_registry_shapes():
    from models.registry import MODELS
    rng = np.random.default_rng(0)
    frames = [np.clip(rng.normal(128, 30, (40, 40, 3)), 0, 255).astype(np.uint8) for _ in range(6)]
    for spec in MODELS.values():
        cfg = spec.configs['tiny']
        x = spec.make_input(frames, 3, cfg)
        assert list(x.shape) == spec.input_shape(cfg) and x.dtype == np.float32, spec.key


def test_pool_flow_averages_blocks_in_pixels_of_the_small_grid():
    flow = np.zeros((2, 8, 8), np.float32)
    flow[0, :4, :4] = 4.0  # a 4x4 block moving 4 px right at full size
    flow[1, 4:, 4:] = np.arange(16, dtype=np.float32).reshape(4, 4)
    pooled = pp.pool_flow(flow, 4)
    assert pooled.shape == (2, 2, 2) and pooled.dtype == np.float32
    # 4 px at 8x8 is 1 px at 2x2; the v block's mean 7.5 becomes 7.5 / 4
    assert np.allclose(pooled[0], [[1, 0], [0, 0]]) and np.allclose(pooled[1], [[0, 0], [0, 7.5 / 4]])
    assert pp.pool_flow(flow, 1) is flow
    with pytest.raises(ValueError, match='not a multiple'):
        pp.flow_factor(28, 100)


def test_flow_computed_larger_then_pooled_keeps_a_shift_in_input_pixels():
    base = texture(128)
    a, b = shifted(base, 0, 0), shifted(base, 2.0, -1.2)
    x = pp.onset_apex_flow_input(a, b, 32, 'standard', flow_size=128)
    assert x.shape == (3, 32, 32)
    raw = pp.pool_flow(pp.tvl1_flow(a, b), 4)  # frames already 128: resize is the identity
    inner = raw[:, 4:-4, 4:-4]
    assert abs(np.median(inner[0]) - 0.5) < 0.05 and abs(np.median(inner[1]) + 0.3) < 0.05


def test_flow_between_neighbours_gives_one_step_fewer_and_each_steps_own_motion():
    # three frames moving 0.6 px right, then 0.4 px up: steps 0.6 / 0 and 0 / -0.4, no zero first step
    base = texture()
    seq = [shifted(base, 0, 0), shifted(base, 0.6, 0), shifted(base, 0.6, -0.4)]
    flow = pp.flows_between_neighbours(seq, 'tvl1')
    assert flow.shape == (2, 2, 64, 64)
    inner = flow[:, :, 8:-8, 8:-8]
    assert abs(np.median(inner[0, 0]) - 0.6) < 0.1 and abs(np.median(inner[1, 0])) < 0.1
    assert abs(np.median(inner[0, 1])) < 0.1 and abs(np.median(inner[1, 1]) + 0.4) < 0.1
    x = pp.flow_sequence_input([cv2.cvtColor(f, cv2.COLOR_GRAY2BGR) for f in seq], 3, 64, reference='previous')
    assert x.shape == (2, 2, 64, 64)
