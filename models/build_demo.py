"""Rebuild the bundled demo models (resources/models/<model>-demo.onnx + cards)
and their parity fixtures from synthetic training sets, one identity per subject
(models/README.md, "Demo models", has the full commands):

  npx me-studio synth /tmp/mi-data --faces /tmp/mi-faces --format casme2 --subjects 12 --samples-per-subject 9 --seed 2026
  /usr/bin/python3 -m models.prepare_synthetic /tmp/mi-data /tmp/mi-sets --config demo
  /usr/bin/python3 -m models.build_demo --sets /tmp/mi-sets --data-description "..."

Each model trains with `models.train` in its demo config under subject-grouped
(here identity-grouped) 3-fold cross-validation (the cards' metrics), then on
all samples (the shipped weights)."""
import argparse
import os
import subprocess
import sys
import time

from .registry import MODELS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Sized so each model trains in minutes on a shared 2-core CPU; never chosen on a test fold alone. Settings picked
# after looking at earlier results are listed, with what they were picked on, in DEMO_NOTES (copied into the cards).
DEMO_EPOCHS = {'off_tanet': 80, 'ststnet': 60, 'cbamnet': 40, 'astnet': 40, 'ms3d_resnet': 60, 'ast_svmnet': 20}
# Optional attention settings of models.train (models/README.md, "Attention terms"). Off-TANet's are unsupervised
# (no region masks); the other maps are supervised with the generator's region masks, which only synthetic data
# has. Chosen, like Off-TANet's 80 and ASTNet's 40 epochs, in the pilot runs of PILOT.
DEMO_EXTRA = {'off_tanet': ['--attention-sparsity', '1', '--attention-sufficiency', '1'],
              'cbamnet': ['--attention-supervision', '1', '--attention-gate-lr-scale', '10'],
              'astnet': ['--attention-supervision', '1'],
              'ast_svmnet': ['--attention-supervision', '1'],
              'ms3d_resnet': ['--attention-supervision', '10', '--attention-gate-lr-scale', '30']}
DEMO_NOTE = ('DEMO: trained on synthetic data only; not for real use. It exists to exercise the studio\'s '
             'inference and attention display end to end.')
PILOT = ('pilot runs on the earlier single-identity data, on a split of fold 0\'s training subjects (train '
         'sub02/03/05/06/08/09, validate sub11/12)')
# Every card's first note: the data changed under settings that were not piloted again.
MULTI_IDENTITY = ('Trained on multi-identity data (12 subjects, each a different real person). Every setting in these '
                  'notes was chosen on the earlier demo data (one face photo for all 12 subjects) and carried over '
                  'unchanged, not piloted or tuned again on this data, so no test identity was seen in choosing '
                  'them; where a note calls figures "slightly optimistic", that applies to the earlier figures.')
# The earlier demo's figures (one identity, subject-grouped 3-fold CV), kept beside the new ones.
SINGLE_IDENTITY = {
    'ststnet': 'pooled UF1 0.991, UAR 0.988',
    'cbamnet': 'pooled UF1 0.739, UAR 0.722, attention mass in the moving region 0.556 (chance 0.086), with the '
               'earlier pooling schedule (8x8x2 after conv6) and a 3x3x3 spatial kernel',
    'astnet': 'pooled UF1 0.991, UAR 0.994, attention mass in the moving region 0.581 (chance 0.078)',
    'ms3d_resnet': 'pooled UF1 0.981, UAR 0.975, attention mass in the moving region 0.475 (chance 0.095)',
    'ast_svmnet': 'pooled UF1 0.696, UAR 0.685, attention mass in the moving region 0.134 (chance 0.086)',
    'off_tanet': 'pooled UF1 1.000, UAR 1.000, attention mass in the moving region 0.677 (chance 0.078)',
}
# Honesty notes: which settings were chosen after looking at results, and on what.
RETRAINED = ('Retrained on the corrected architecture ({}); every setting below was chosen in pilots of the earlier '
             'architecture and carried over unchanged, not piloted again.')
DEMO_NOTES = {
    'ststnet': ['Flow computed at 112x112 and pooled to the 28x28 input (flow.computeSize) chosen in ' + PILOT + ': '
                'validation UF1 1.00 against 0.54 with the flow computed at 28x28, where the synthetic motion is '
                'below TV-L1\'s noise (models/README.md, "Where the flow sits").'],
    'cbamnet': [RETRAINED.format("Table 1's pooling schedule, 4x4x1 after Pool6, and eq. 3's 7x7 spatial kernel; "
                                 'earlier 8x8x2 after conv6 with a 3x3x3 kernel'),
                'On the multi-identity data this configuration stayed at chance (pooled UF1 0.25: every held-out clip '
                'but one called negative) and its all-data model fits only 81 of its 108 training clips (every '
                'positive called negative): under-trained with the 40 epochs carried over from the earlier schedule, '
                'so its predictions say nothing (models/README.md, "Demo models").',
                'Epoch count chosen after one look at the cross-validation: a first run with 15 epochs stayed at '
                'chance (pooled UF1 0.28, UAR 0.36); this configuration uses 40, so its cross-validated figures '
                'are slightly optimistic.',
                'Input size 64x64 (the paper\'s; earlier demos used 48x48) chosen in ' + PILOT + ': validation UF1 '
                '0.89 against 0.61 at 48x48 (40 epochs both).',
                'Magnification alpha 20 (the upper end of the 10-20 used for micro-expressions; earlier demos used 10) '
                'chosen in the same pilot split: validation UF1 0.86 / 0.84 / 0.81 with seeds 0 / 1 / 2 against '
                '0.74 / 0.38 at alpha 10; width 0.5 at alpha 10 gave 0.59.',
                'Supervised attention (--attention-supervision 1; see training.details) chosen in the same pilot '
                'split: validation attention mass in the moving '
                'region 0.46 against 0.10 without it (weight 0.3: 0.31; 3: 0.49), validation UF1 0.61 against 0.86 on '
                'that split\'s 18 clips; the cross-validation\'s pooled UF1 did not fall (0.67 against 0.65). The unsupervised '
                'terms had left the map at chance (models/README.md). Then the gate learning rate x10 '
                '(--attention-gate-lr-scale 10), in the same split: validation mass 0.53 against 0.46 (x30: 0.54), '
                'validation UF1 0.61 in all three; the cross-validation at x1 had given mass 0.49.'],
    'ms3d_resnet': [RETRAINED.format("eq. 3.10's BatchNorm in the fusion attention; earlier without"),
                    'Configuration chosen after one look at the cross-validation: a first run at width 1/32 with 15 '
                    'epochs was at chance on its first fold (UF1 0.21); this configuration uses width 1/16 and 30 '
                    'epochs (60 since the supervised attention below), so its cross-validated figures are slightly '
                    'optimistic.',
                    'Flow computed at 144x144 and pooled to the 48x48 input (flow.computeSize) chosen in ' + PILOT + ': '
                    'validation UF1 0.94 against 0.75 with the flow computed at 48x48 (attention mass unchanged, 0.098 '
                    'at 0.098 area).',
                    'Supervised attention (--attention-supervision 10 --attention-gate-lr-scale 30; see '
                    'training.details) and 60 epochs (was 30) chosen in the same pilot split: validation attention mass in the moving region 0.48 against 0.10 without '
                    'supervision; with the gate at x30, weight 1 at 30 / 60 / 100 epochs 0.22 / 0.29 / 0.32, weight 3 at '
                    '60 epochs 0.44, weight 10 at 80 epochs 0.33; weight 1 without the raised gate learning rate 0.10 '
                    '(the gate conv\'s weights hardly leave their start in the few hundred steps); validation UF1 '
                    '1.00. The raised rate covers both gate convs, spatial and temporal: with only the spatial one\'s '
                    'raised, the same seed and settings gave 0.27.'],
    'astnet': ['Epoch count raised from 15 to 40 after the earlier demo build (pooled UF1 0.55) and ' + PILOT + '.',
               'Supervised attention (--attention-supervision 1; see training.details) and width 1/4 (was 1/16) chosen in the same pilot split. At width 1/16 '
               'the supervision made the map concentrate (validation mass 0.55 against 0.08 without it) but cost '
               'classification (validation UF1 0.54-0.61 against 0.94; a cross-validation gave pooled UF1 0.63 against '
               '0.82, positive and surprise confused), while the flow inside the region alone was enough (width 1/16, '
               'no supervision, inputs multiplied by the true mask: validation UF1 1.00): its 4-16-channel trunk could '
               'not serve both. At width 1/4: validation mass 0.59 / 0.58 and UF1 1.00 / 1.00 with seeds 0 / 1 '
               '(width 1/8: 0.57, UF1 0.54; width 1/4 without supervision: 0.085, UF1 0.89).'],
    'ast_svmnet': [RETRAINED.format('the FAM on the 10x64x64 input, one 64x64 map and one weight per frame; earlier '
                                    'after a stem pooling to 32x32, over the stem\'s 8 learned channels'),
                   'Supervised attention (--attention-supervision 1; in the earlier architecture on its FAM spatial '
                   'attention averaged over frames, now on the one map; see training.details) chosen in ' + PILOT + ': validation '
                   'attention mass 0.48 / 0.47 with seeds 0 / 1 against 0.35 / 0.39 without it (weight 3: 0.46 / 0.47), '
                   'and validation UF1 0.95 / 0.78 against 0.81 / 0.44. Its map already held half of its mass in the '
                   'moving region at the apex frame without supervision (0.51 in the cross-validation).'],
    'off_tanet': ['Attention terms (--attention-sparsity 1 --attention-sufficiency 1) and 80 epochs chosen in ' + PILOT
                  + ': with the terms, validation UF1 was 1.00 at 25, 40, 60, 80 and 100 epochs and the attention mass '
                  'in the moving region 0.35, 0.43, 0.46, 0.53 and 0.49 (area 0.08); 80 has the highest mass. The terms '
                  'use no region masks; the masks were used only to score the pilots.',
                  'Flow computed at 224x224 and pooled to the 112x112 input (flow.computeSize; the paper computes it '
                  'at 112x112, so this is a demo-only deviation) chosen in the same pilot split with the same terms and '
                  '80 epochs: validation attention mass 0.68 (83 % of clips above 50 %) against 0.53 with the flow '
                  'computed at 112x112; validation UF1 1.00 both.'],
}


def commands(sets, data_description, protocol, models, jobs):
    for key in models:
        spec = MODELS[key]
        yield key, [sys.executable, '-m', 'models.train', '--model', key, '--data', os.path.join(sets, key),
                    '--protocol', protocol, '--config', 'demo', '--epochs', str(DEMO_EPOCHS[key]), '--threads', '1',
                    '--jobs', str(jobs), '--demo', '--no-fold-models',
                    '--id', f'{key}-demo', '--name', f'{spec.name} (demo, synthetic data, not for real use)',
                    '--out', os.path.join(ROOT, 'resources', 'models'),
                    '--fixtures', os.path.join(ROOT, 'tests', 'fixtures', 'models'),
                    '--results', os.path.join(ROOT, 'models', 'demo_results'),
                    '--data-description', data_description, '--note', DEMO_NOTE, '--note', MULTI_IDENTITY,
                    '--note', 'Earlier demo on single-identity data (every subject the same face photo, subject-grouped '
                              f'3-fold cross-validation): {SINGLE_IDENTITY[key]}.',
                    *[a for n in DEMO_NOTES.get(key, []) for a in ('--note', n)], *DEMO_EXTRA.get(key, [])]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--sets', required=True)
    ap.add_argument('--data-description', required=True)
    ap.add_argument('--protocol', default='group-kfold:3')
    ap.add_argument('--models', default=','.join(MODELS))
    ap.add_argument('--parallel', type=int, default=2, help='models trained at once')
    ap.add_argument('--jobs', type=int, default=1, help="processes per model (models.train --jobs: its folds and "
                                                        'final model at once; same results)')
    ap.add_argument('--logs', default='/tmp')
    a = ap.parse_args()
    pending = list(commands(a.sets, a.data_description, a.protocol, a.models.split(','), a.jobs))
    running = []
    while pending or running:
        while pending and len(running) < a.parallel:
            key, cmd = pending.pop(0)
            log = open(os.path.join(a.logs, f'train-{key}-demo.log'), 'w')
            running.append((key, subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT), log))
        finished = [job for job in running if job[1].poll() is not None]
        if not finished:
            time.sleep(2)
        for key, proc, log in finished:
            log.close()
            running.remove((key, proc, log))
            print(f'{key}: exit {proc.returncode} (log {log.name})', flush=True)


if __name__ == '__main__':
    main()
