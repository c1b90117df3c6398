import { defineCommand } from '../command'

export const evaluateSpottingCommand = defineCommand({
  name: 'evaluate-spotting',
  summary: 'MEGC spotting evaluation of long videos: precision, recall and F1 per kind (IoU ≥ 0.5), per video, per dataset and pooled.',
  usage: '(--project P [--reviewed] | --truth ground-truth.json) [--predictions intervals.json …] [--iou 0.5] [--save intervals.json [--force]] [--json]',
  help: `The truth: --project P takes every coded expression of the project's long-video datasets
(CAS(ME)², CAS(ME)³: the samples <video>#k sharing a clip; their reference coding), kind by length
(micro ≤ 500 ms); --truth takes a ground-truth.json of \`me-studio synth --format long\`.

Options:
  --predictions FILE  \`me-studio spot <video> --intervals --json\` outputs (one per file, an array
                      of them, or {"videos":[{"clip"|"video", "intervals":[…]}]}); repeat it for
                      several files. Without it, every video of the truth is spotted now.
  --reviewed          with --project: the candidates spotted and reviewed in the app (Coding →
                      Candidates), not rejected, with their edited edges — what the Batch view
                      evaluates; videos never spotted there count as all missed
  --iou X             IoU threshold of a true positive (default 0.5, MEGC)
  --save FILE         write the predictions used (spotted now or read) as one .json file
  --force             replace an existing --save file
  --json              print the evaluation as JSON

A prediction is a true positive when its IoU with a ground-truth interval of the same kind is
≥ 0.5 (frames counted inclusively), each truth and prediction matched at most once (highest IoU
first). Per dataset and pooled, TP, FP and FN are SUMMED over the videos before precision,
recall and F1 are computed (MEGC); overall = micro + macro counts.`,
  options: {
    project: { type: 'string' },
    truth: { type: 'string' },
    predictions: { type: 'string', multiple: true },
    iou: { type: 'string' },
    save: { type: 'string' },
    json: { type: 'boolean' },
    reviewed: { type: 'boolean' },
    force: { type: 'boolean' },
  },
  positionals: [0, 0],
  load: async () => (await import('./evaluate-spotting')).run,
})
