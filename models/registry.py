"""One entry per architecture: how to build it at paper / demo / tiny size,
what its input is, how preprocessing makes that input from a clip, which
outputs are attention maps and how to display them, and what the paper says."""
from dataclasses import dataclass, field

from . import fidelity, preprocess as pp
from .ast_svmnet import ASTSVMNetFeatures
from .astnet import ASTNet, from_torchvision_resnet18
from .cbamnet import CBAMNet
from .ms3d_resnet import MS3DResNet
from .off_tanet import OffTANet
from .ststnet import STSTNet

CLASSES = ('negative', 'positive', 'surprise')
NEGATIVE = ('anger', 'contempt', 'disgust', 'fear', 'sadness')
# The class sets a run can train (models.train --classes; the paper config picks its paper's): each maps the
# manifest labels it accepts to its classes. 'megc3' also takes the MEGC labels the studio's default export
# writes; the papers' sets need the coded emotions (the studio's export with emotion labels), because the MEGC
# labels have already merged repression into negative.
CLASS_SETUPS = {
    'megc3': {'classes': CLASSES,
              'labels': {**{c: c for c in CLASSES}, **{e: 'negative' for e in (*NEGATIVE, 'repression')},
                         'happiness': 'positive'},
              'description': 'MEGC 2019 composite: negative, positive, surprise; others dropped'},
    # CBAMNet on CASME II: 'Negative video sequences include disgust and repression' (fear and sadness dropped)
    'cbamnet-3': {'classes': CLASSES,
                  'labels': {'disgust': 'negative', 'repression': 'negative', 'happiness': 'positive',
                             'surprise': 'surprise'},
                  'description': 'CBAMNet on CASME II: negative (disgust, repression), positive (happiness), '
                                 'surprise; fear, sadness and others dropped'},
    # MS-3D-ResNet on CASME II and SAMM: 'the repression and other categories are categorized as other'
    'ms3d-4': {'classes': ('positive', 'negative', 'surprise', 'other'),
               'labels': {'happiness': 'positive', **{e: 'negative' for e in NEGATIVE}, 'surprise': 'surprise',
                          'repression': 'other', 'others': 'other', 'other': 'other'},
               'description': 'MS-3D-ResNet on CASME II / SAMM: positive (happiness), negative (anger, contempt, '
                              'disgust, fear, sadness), surprise, other (repression, others)'},
    # ASTNet on CASME II: five emotions, others included (fear and sadness, too rare, are not among them)
    'casme2-5': {'classes': ('happiness', 'surprise', 'disgust', 'repression', 'others'),
                 'labels': {'happiness': 'happiness', 'surprise': 'surprise', 'disgust': 'disgust',
                            'repression': 'repression', 'others': 'others', 'other': 'others'},
                 'description': 'ASTNet on CASME II: happiness, surprise, disgust, repression, others'},
}


def class_setup(cfg):
    """The class set of a config: cfg['classes'] names a CLASS_SETUPS entry; absent = 'megc3'."""
    return CLASS_SETUPS[cfg.get('classes', 'megc3')]


def num_classes(cfg):
    return len(class_setup(cfg)['classes'])


STANDARDISE = {'method': 'per-sample-channel-standardise', 'epsilon': 1e-6}
TVL1 = {'method': 'tvl1', 'reference': 'onset', 'params': pp.TVL1_PARAMS,
        'description': 'OpenCV DualTVL1OpticalFlow with its default parameters on uint8 gray frames '
                       '(models/preprocess.py tvl1_flow); u = x displacement, v = y displacement in pixels '
                       'of the input size.'}
LK = {'method': 'lk', 'reference': 'onset', 'params': pp.LK_PARAMS,
      'description': 'Dense single-scale Lucas-Kanade, box window, Sobel/8 gradients of the mean of both frames '
                     '(models/preprocess.py lk_flow).'}


def flow(base, cfg):
    """The card's flow block; a config with `flow_reference: 'previous'` takes the flow between neighbouring
    frames (T frames, T-1 steps), one with `flow_size` computes the flow on frames resized to that size and
    mean-pools it by the integer factor to the input size (models/preprocess.py pool_flow)."""
    if cfg.get('flow_reference') == 'previous':
        base = {**base, 'reference': 'previous',
                'description': base['description'].replace('(models/preprocess.py tvl1_flow)',
                                                           '(models/preprocess.py flows_between_neighbours)')
                + ' Between neighbouring frames: the T frames give T-1 flow steps (no zero first step).'}
    if 'flow_size' not in cfg:
        return base
    size, factor = cfg['flow_size'], cfg['flow_size'] // cfg['size']
    return {**base, 'computeSize': [size, size],
            'description': base['description'] + f' Computed on the frames resized to {size}x{size} (INTER_CUBIC, '
                           f'rounded to uint8), then averaged over {factor}x{factor} blocks and divided by {factor} '
                           '(pixels of the input size): averaging takes the per-pixel noise of the flow down.'}


def crop(size, colour='gray'):
    return {'method': 'as-provided', 'alignment': 'none', 'size': [size, size], 'interpolation': 'bicubic',
            'colour': colour,
            'description': 'Frames are expected to be aligned face crops (the studio aligns on the onset frame '
                           'and applies the same transform to every frame); they are resized with OpenCV '
                           'INTER_CUBIC and rounded to uint8.'}


def onset_apex_frames():
    return {'selection': 'onset-apex', 'temporalLength': None, 'temporalInterpolation': None}


def sequence_frames(length):
    return {'selection': 'onset-to-offset', 'temporalLength': length, 'temporalInterpolation': 'linear'}


@dataclass
class ModelSpec:
    key: str
    name: str
    paper: dict
    build: object
    configs: dict
    input_kind: str
    channels: list
    layout: str
    make_input: object
    preprocessing: object
    attention: dict
    other_outputs: dict = field(default_factory=dict)
    # outputs -> [N, h, w]: the 2-D map the studio overlays (per the card's display rule), for the attention check
    display_map: object = None
    display_map_text: str = 'none'
    # outputs (torch) -> [N, h, w]: display_map in torch, for the optional unsupervised attention terms of
    # models.train (--attention-sparsity, --attention-sufficiency)
    display_map_torch: object = None
    # outputs (numpy or torch) -> [N, S, h, w]: per-frame (or per time slice) maps of sequence models; their
    # mean over S is display_map (derived below), and the attention check also scores the step at the apex
    # (models.train.apex_step)
    frame_maps: object = None
    # state dict -> state dict: pretrained weights under other names (models.train --init), e.g. torchvision's
    adapt_init: object = None

    def __post_init__(self):
        # models/fidelity.py is the one place the papers' figures and the deviations are written
        self.paper = {**self.paper, 'results': fidelity.results(self.key)}
        self.deviations = fidelity.deviations(self.key)
        if self.frame_maps:
            self.display_map = lambda o: self.frame_maps(o).mean(axis=1)
            self.display_map_torch = lambda o: self.frame_maps(o).mean(dim=1)

    def input_shape(self, cfg):
        if self.layout == 'NCHW':
            return [len(self.channels), cfg['size'], cfg['size']]
        return [len(self.channels), time_steps(cfg), cfg['size'], cfg['size']]


def time_steps(cfg):
    """Time steps of a sequence input: one per frame, one per pair of neighbours when the flow is between them."""
    return cfg['frames'] - 1 if cfg.get('flow_reference') == 'previous' else cfg['frames']


def _display(aggregation, description, overlay='input', multiply_by=None):
    d = {'aggregation': aggregation, 'overlay': overlay, 'description': description}
    if multiply_by:
        d['multiplyBy'] = multiply_by
    return d


OFF_TANET = ModelSpec(
    key='off_tanet', name='Off-TANet',
    paper={'title': 'Off-TANet: a Lightweight Neural Micro-Expression Recognizer with Optical Flow Features and '
                    'Integrated Attention Mechanism', 'authors': ['Jiahao Zhang', 'Feng Liu', 'Aimin Zhou'],
           'year': 2021, 'venue': 'EasyChair Preprint, October 2021', 'doi': None, 'url': None},
    build=lambda cfg: OffTANet(num_classes=num_classes(cfg)),
    configs={'paper': {'size': 112}, 'demo': {'size': 112, 'flow_size': 224}, 'tiny': {'size': 112}},
    input_kind='onset-apex-flow', channels=['u', 'v', 'strain'], layout='NCHW',
    # strain: the released code's variant unless the config says otherwise (models.train --strain standard: eq. 4)
    make_input=lambda frames, apex, cfg: pp.onset_apex_flow_input(frames[0], frames[apex], cfg['size'],
                                                                  cfg.get('strain', 'off-tanet'), cfg.get('flow_size')),
    preprocessing=lambda cfg: {
        'frames': onset_apex_frames(), 'crop': crop(cfg['size']), 'magnification': None, 'flow': flow(TVL1, cfg),
        'strain': {'variant': cfg.get('strain', 'off-tanet'), 'derivative': 'sobel3-div8-reflect101'}, 'isdf': None,
        'normalisation': STANDARDISE},
    attention={
        'channel_attention': ('channel', 'block3 (attention residual block): CBAM channel attention, 28 channels',
                              ['batch', 'channel'], _display('bar', 'Channel weights (sigmoid) of the 28 features.', 'none')),
        'spatial_attention': ('spatial', 'block3: CBAM spatial attention at 14x14', ['batch', 'one', 'y', 'x'],
                              _display('map', 'Sigmoid spatial map; resize bilinearly to 112x112.')),
        'self_attention': ('self', 'block3: 4-head self-attention, 7 channels per head, softmax over 14x14',
                           ['batch', 'head', 'channel', 'y', 'x'],
                           _display('max-over-heads-channels-times-spatial',
                                    "Paper's figure: max over heads and channels, times spatial_attention, "
                                    'resized to 112x112.', multiply_by='spatial_attention')),
    },
    display_map=lambda o: o['self_attention'].max(axis=(1, 2)) * o['spatial_attention'][:, 0],
    display_map_torch=lambda o: o['self_attention'].amax(dim=(1, 2)) * o['spatial_attention'][:, 0],
    display_map_text='max over heads and channels of self_attention, times spatial_attention',
)

STSTNET = ModelSpec(
    key='ststnet', name='STSTNet',
    paper={'title': 'Shallow Triple Stream Three-dimensional CNN (STSTNet) for Micro-expression Recognition',
           'authors': ['Sze-Teng Liong', 'Y. S. Gan', 'John See', 'Huai-Qian Khor', 'Yen-Chang Huang'], 'year': 2019,
           'venue': '14th IEEE International Conference on Automatic Face & Gesture Recognition (FG 2019)',
           'doi': '10.1109/FG.2019.8756567', 'url': 'https://doi.org/10.1109/FG.2019.8756567'},
    build=lambda cfg: STSTNet(num_classes=num_classes(cfg)),
    configs={'paper': {'size': 28}, 'demo': {'size': 28, 'flow_size': 112}, 'tiny': {'size': 28, 'flow_size': 56}},
    input_kind='onset-apex-flow', channels=['u', 'v', 'strain'], layout='NCHW',
    make_input=lambda frames, apex, cfg: pp.onset_apex_flow_input(frames[0], frames[apex], cfg['size'],
                                                                  cfg.get('strain', 'standard'), cfg.get('flow_size')),
    preprocessing=lambda cfg: {
        'frames': onset_apex_frames(), 'crop': crop(cfg['size']), 'magnification': None, 'flow': flow(TVL1, cfg),
        'strain': {'variant': cfg.get('strain', 'standard'), 'derivative': 'sobel3-div8-reflect101'}, 'isdf': None,
        'normalisation': STANDARDISE},
    attention={},
)

CBAMNET = ModelSpec(
    key='cbamnet', name='CBAMNet',
    paper={'title': 'Spatiotemporal Convolutional Neural Network with Convolutional Block Attention Module for '
                    'Micro-Expression Recognition',
           'authors': ['Boyu Chen', 'Zhihao Zhang', 'Nian Liu', 'Yang Tan', 'Xinyu Liu', 'Tong Chen'], 'year': 2020,
           'venue': 'MDPI journal article (venue not named in the stored copy)', 'doi': None, 'url': None},
    build=lambda cfg: CBAMNet(num_classes=num_classes(cfg), frames=cfg['frames'], size=cfg['size'],
                              width=cfg['width']),
    configs={'paper': {'frames': 16, 'size': 64, 'width': 1.0, 'alpha': 10.0},
             'demo': {'frames': 16, 'size': 64, 'width': 0.25, 'alpha': 20.0},
             'tiny': {'frames': 16, 'size': 32, 'width': 0.125, 'alpha': 10.0}},
    input_kind='frame-sequence', channels=['r', 'g', 'b'], layout='NCTHW',
    make_input=lambda frames, apex, cfg: pp.frame_sequence_input(frames, cfg['frames'], cfg['size'], cfg['alpha'], 2.0),
    preprocessing=lambda cfg: {
        'frames': sequence_frames(cfg['frames']), 'crop': crop(cfg['size'], 'rgb'),
        'magnification': {'method': 'onset-difference-linear', 'alpha': cfg['alpha'], 'sigma': 2.0,
                          'description': 'I_t + alpha * GaussianBlur_sigma(I_t - I_0) per RGB channel on the '
                                         'resized, temporally normalised frames, rounded to uint8 '
                                         '(models/preprocess.py magnify_onset_difference).'},
        'flow': None, 'strain': None, 'isdf': None, 'normalisation': STANDARDISE},
    attention={
        'channel_attention': ('channel', 'CBAM after conv6: channel attention, reduction ratio 8', ['batch', 'channel'],
                              _display('bar', 'Channel weights (sigmoid).', 'none')),
        'spatial_attention': ('spatial', 'CBAM after conv6: 3-D spatial attention, one map per remaining time slice',
                              ['batch', 'one', 'time-slice', 'y', 'x'],
                              _display('map-per-frame', 'One sigmoid map per time slice; summary = mean over slices.')),
    },
    display_map_text='spatial_attention averaged over its time slices',
    frame_maps=lambda o: o['spatial_attention'][:, 0],
)

ASTNET = ModelSpec(
    key='astnet', name='ASTNet',
    paper={'title': 'Attention-Based Spatiotemporal-Aware Network for Fine-Grained Visual Recognition',
           'authors': ['Yili Ren', 'Ruidong Lu', 'Guan Yuan', 'Dashuai Hao', 'Hongjue Li'], 'year': 2024,
           'venue': 'Applied Sciences 14, 7755', 'doi': '10.3390/app14177755',
           'url': 'https://doi.org/10.3390/app14177755'},
    build=lambda cfg: ASTNet(num_classes=num_classes(cfg), frames=time_steps(cfg), width=cfg['width'], stages=cfg['stages']),
    # the paper: 'one sequence of 11 frames can be turned into an optical flow sequence of 10 frames'
    configs={'paper': {'frames': 11, 'size': 224, 'width': 1.0, 'stages': 4, 'flow_reference': 'previous'},
             'demo': {'frames': 11, 'size': 112, 'width': 0.25, 'stages': 3},
             'tiny': {'frames': 3, 'size': 64, 'width': 0.0625, 'stages': 4}},
    input_kind='flow-sequence', channels=['u', 'v'], layout='NCTHW',
    make_input=lambda frames, apex, cfg: pp.flow_sequence_input(frames, cfg['frames'], cfg['size'], flow_size=cfg.get('flow_size'),
                                                                reference=cfg.get('flow_reference', 'onset')),
    preprocessing=lambda cfg: {
        'frames': sequence_frames(cfg['frames']), 'crop': crop(cfg['size']), 'magnification': None, 'flow': flow(TVL1, cfg),
        'strain': None, 'isdf': None, 'normalisation': STANDARDISE},
    attention={
        'channel_attention': ('channel', 'CBAM between the ResNet-18 trunk and the ConvLSTM, per frame',
                              ['batch', 'frame', 'channel'], _display('bar', 'Channel weights per frame.', 'none')),
        'spatial_attention': ('spatial', 'CBAM spatial attention per frame at the trunk output',
                              ['batch', 'frame', 'y', 'x'],
                              _display('map-per-frame', 'One sigmoid map per frame; summary = mean over frames.')),
    },
    display_map_text='spatial_attention averaged over frames',
    frame_maps=lambda o: o['spatial_attention'],
    adapt_init=lambda state: from_torchvision_resnet18(state, in_channels=2),
)

MS3D_RESNET = ModelSpec(
    key='ms3d_resnet', name='MS-3D-ResNet',
    paper={'title': 'Micro-expression recognition based on multi-scale 3D residual convolutional neural network',
           'authors': ['Hongmei Jin', 'Ning He', 'Zhanli Li', 'Pengcheng Yang'], 'year': 2024,
           'venue': 'AIMS journal research article (venue not named in the stored copy)', 'doi': None, 'url': None},
    build=lambda cfg: MS3DResNet(num_classes=num_classes(cfg), width=cfg['width'], blocks=tuple(cfg['blocks'])),
    configs={'paper': {'frames': 16, 'size': 134, 'width': 1.0, 'blocks': [3, 4, 6, 3]},
             'demo': {'frames': 16, 'size': 48, 'flow_size': 144, 'width': 0.0625, 'blocks': [3, 4, 6, 3]},
             'tiny': {'frames': 8, 'size': 32, 'width': 0.03125, 'blocks': [1, 1, 1, 1]}},
    input_kind='flow-sequence', channels=['u', 'v'], layout='NCTHW',
    make_input=lambda frames, apex, cfg: pp.flow_sequence_input(frames, cfg['frames'], cfg['size'], flow_size=cfg.get('flow_size')),
    preprocessing=lambda cfg: {
        'frames': sequence_frames(cfg['frames']), 'crop': crop(cfg['size']), 'magnification': None, 'flow': flow(TVL1, cfg),
        'strain': None, 'isdf': None, 'normalisation': STANDARDISE},
    attention={
        'temporal_attention': ('temporal', 'after block 1 (stem): temporal attention', ['batch', 'frame'],
                               _display('bar', 'Sigmoid weight per frame.', 'none')),
        'spatial_attention': ('spatial', 'after block 1 (stem): spatial attention at stride 4',
                              ['batch', 'one', 'y', 'x'], _display('map', 'Sigmoid map; resize to the input size.')),
        'aff_weights_5_4': ('fusion-weights', 'AFF of deconv(block5) with block4: second-pass channel weights',
                            ['batch', 'channel'], _display('bar', 'Weight of the deconvolved deeper map per channel.', 'none')),
        'aff_weights_4_3': ('fusion-weights', 'AFF of deconv(block4) with block3', ['batch', 'channel'],
                            _display('bar', 'Weight of the deconvolved deeper map per channel.', 'none')),
        'aff_weights_3_2': ('fusion-weights', 'AFF of deconv(block3) with block2', ['batch', 'channel'],
                            _display('bar', 'Weight of the deconvolved deeper map per channel.', 'none')),
    },
    other_outputs={'head_logits': 'logits of the four heads (block5, AFF5-4, AFF4-3, AFF3-2); `logits` is the '
                                  'head whose softmax maximum is highest (the discriminator)'},
    display_map=lambda o: o['spatial_attention'][:, 0],
    display_map_torch=lambda o: o['spatial_attention'][:, 0],
    display_map_text='spatial_attention after block 1',
)

AST_SVMNET = ModelSpec(
    key='ast_svmnet', name='AST+SVMNet',
    paper={'title': 'AST+SVMNet: A Novel Decomposition Method for Micro-Expression Recognition Based on Fusion '
                    'Attention and Improved Spatio-Temporal Convolution by Feature Transfer',
           'authors': ['Peiyun Xue', 'Xiaolong Guo', 'Jing Bai', 'Bo Yuan'], 'year': 2024, 'venue': 'IEEE Access',
           'doi': '10.1109/ACCESS.2024.3395116', 'url': 'https://doi.org/10.1109/ACCESS.2024.3395116'},
    build=lambda cfg: ASTSVMNetFeatures(num_classes=num_classes(cfg), frames=cfg['frames'], size=cfg['size'], width=cfg['width']),
    configs={'paper': {'frames': 10, 'size': 192, 'width': 1.0},
             'demo': {'frames': 10, 'size': 64, 'width': 0.25},
             'tiny': {'frames': 4, 'size': 32, 'width': 0.25}},
    input_kind='flow-isdf', channels=['u', 'v', 'isdf'], layout='NCTHW',
    make_input=lambda frames, apex, cfg: pp.flow_isdf_input(frames, cfg['frames'], cfg['size'], cfg.get('flow_size')),
    preprocessing=lambda cfg: {
        'frames': sequence_frames(cfg['frames']), 'crop': crop(cfg['size']), 'magnification': None, 'flow': flow(LK, cfg),
        'strain': None, 'isdf': {'reference': 'onset'}, 'normalisation': STANDARDISE},
    # the paper's FAM on the input: its channels are the frames (Fig. 3: 10x1x1 and 1x192x192)
    attention={
        'channel_attention': ('channel', 'FAM channel attention (CAM) on the input: one weight per frame, '
                                         'softmax over the frames', ['batch', 'frame'],
                              _display('bar', 'Softmax weight of each input frame (sums to 1).', 'none')),
        'spatial_attention': ('spatial', 'FAM spatial attention (SAM) on the input: one map at the input size, '
                                         'softmax over HxW', ['batch', 'one', 'y', 'x'],
                              _display('map', 'Softmax map over the input (sums to 1), shared by every frame.')),
    },
    other_outputs={'features': 'spatio-temporal features the SVM classifies',
                   'label': 'SVM predicted class index (int64)'},
    display_map=lambda o: o['spatial_attention'][:, 0],
    display_map_torch=lambda o: o['spatial_attention'][:, 0],
    display_map_text='FAM spatial_attention (one map on the input)',
)

MODELS = {s.key: s for s in (OFF_TANET, STSTNET, CBAMNET, ASTNET, MS3D_RESNET, AST_SVMNET)}
