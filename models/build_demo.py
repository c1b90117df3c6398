"""Rebuild the bundled demo models (resources/models/<model>-demo.onnx + cards)
and their parity fixtures from synthetic training sets:

  /usr/bin/python3 -m models.synth_standin /tmp/demo-data --subjects 12 --samples-per-subject 9 --seed 2026
  /usr/bin/python3 -m models.prepare_synthetic /tmp/demo-data /tmp/demo-sets --config demo
  /usr/bin/python3 -m models.build_demo --sets /tmp/demo-sets --data-description "..."

Each model trains with `models.train` in its demo config under subject-grouped
3-fold cross-validation (the cards' metrics), then on all samples (the shipped
weights)."""
import argparse
import os
import subprocess
import sys
import time

from .registry import MODELS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Fixed in advance (never chosen on test folds), sized so each model trains in minutes on a shared 2-core CPU.
DEMO_EPOCHS = {'off_tanet': 25, 'ststnet': 60, 'cbamnet': 40, 'astnet': 15, 'ms3d_resnet': 30, 'ast_svmnet': 20}
DEMO_NOTE = ('DEMO: trained on synthetic data only; not for real use. It exists to exercise the studio\'s '
             'inference and attention display end to end.')


def commands(sets, data_description, protocol, models):
    for key in models:
        spec = MODELS[key]
        yield key, [sys.executable, '-m', 'models.train', '--model', key, '--data', os.path.join(sets, key),
                    '--protocol', protocol, '--config', 'demo', '--epochs', str(DEMO_EPOCHS[key]), '--threads', '1', '--demo', '--no-fold-models',
                    '--id', f'{key}-demo', '--name', f'{spec.name} (demo, synthetic data, not for real use)',
                    '--out', os.path.join(ROOT, 'resources', 'models'),
                    '--fixtures', os.path.join(ROOT, 'tests', 'fixtures', 'models'),
                    '--results', os.path.join(ROOT, 'models', 'demo_results'),
                    '--data-description', data_description, '--note', DEMO_NOTE]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--sets', required=True)
    ap.add_argument('--data-description', required=True)
    ap.add_argument('--protocol', default='group-kfold:3')
    ap.add_argument('--models', default=','.join(MODELS))
    ap.add_argument('--parallel', type=int, default=2)
    ap.add_argument('--logs', default='/tmp')
    a = ap.parse_args()
    pending = list(commands(a.sets, a.data_description, a.protocol, a.models.split(',')))
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
