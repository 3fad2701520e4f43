import { cp, mkdir, mkdtemp, readFile, readdir, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportMmvp } from './export-mmvp';

/**
 * Issue 29, item 3. VLMEvalKit (e8e78f0) gives pair accuracy only when the dataset's own name is
 * exactly `MMVP`: ImageMCQDataset.evaluate_heuristic, vlmeval/dataset/image_mcq.py:321-322
 *     elif dataset == 'MMVP':
 *         acc = report_acc_MMVP(data)
 * where `dataset = self.dataset_name`, the `dataset` value of a --config entry (run.py:165-199,
 * build_dataset_from_config passes it to the class), while the entry's KEY names the prediction file
 * (run.py:707, get_pred_file_path(..., dataset_name) with the key). CustomMCQDataset.load_data reads
 * `osp.join(LMUDataRoot(), f'{dataset}.tsv')` with no md5 check (image_mcq.py:1367-1379), and
 * LMUDataRoot() is `$LMUData` when that folder exists (vlmeval/smp/file.py:81-87); images are cached
 * in `$LMUData/images/<dataset>/<index>.png` and reused when present (image_base.py:143, 279-281).
 * So: key = the export's name, class CustomMCQDataset, dataset MMVP, and a private $LMUData holding
 * the export as MMVP.tsv. Under `--data MMVP` the built-in class would check the md5 of
 * $LMUData/MMVP.tsv and download the official file over it (image_base.py:218-234).
 */
let scratch: string;
let data: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-vlmevalkit-route-'));
  data = join(scratch, 'data');
  await mkdir(join(data, 'MMVP Images'), { recursive: true });
  const rows = [
    'Index,Question,Options,Correct Answer',
    '1,Is the dog facing left?,(a) Yes (b) No,(a)',
    '2,Is the dog facing left?,(a) Yes (b) No,(b)',
    '3,Is it open?,(a) Open (b) Closed,(b)',
    '4,Is it open? ,(a) Open (b) Closed,(a)',
  ];
  await writeFile(join(data, 'Questions.csv'), `${rows.join('\n')}\n`);
  for (let id = 1; id <= 4; id++) await writeFile(join(data, 'MMVP Images', `${id}.png`), Buffer.from([id]));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('mmvp export --to vlmevalkit: the route to pair accuracy that leaves the official MMVP alone', () => {
  it('writes the config entry <name> -> CustomMCQDataset "MMVP" and a private $LMUData whose MMVP.tsv is the export', async () => {
    const tsv = join(scratch, 'out', 'MMVPSynth.tsv');
    const result = await exportMmvp({ data, to: 'vlmevalkit', out: tsv });
    const config = JSON.parse(await readFile(join(scratch, 'out', 'MMVPSynth.config.json'), 'utf8'));
    expect(config).toEqual({ data: { MMVPSynth: { class: 'CustomMCQDataset', dataset: 'MMVP' } } });
    const linked = join(scratch, 'out', 'MMVPSynth.lmudata', 'MMVP.tsv');
    expect(await readlink(linked)).toBe(join('..', 'MMVPSynth.tsv')); // relative: the folder can move
    expect(await realpath(linked)).toBe(await realpath(tsv));
    expect(await readdir(join(scratch, 'out', 'MMVPSynth.lmudata'))).toEqual(['MMVP.tsv']); // no stale images/MMVP/ cache
    expect(result.files).toEqual([tsv, join(scratch, 'out', 'MMVPSynth.config.json'), linked]);
    // exactly the route: LMUData set to the private folder, --config (not --data MMVP), then mmvp grade for intervals
    expect(result.usage.filter((line) => !line.startsWith('#'))).toEqual([
      `LMUData=${join(scratch, 'out', 'MMVPSynth.lmudata')} python run.py --config ${join(scratch, 'out', 'MMVPSynth.config.json')} --work-dir <work-dir>`,
      'mmvp grade --questions <the Questions.csv exported> --answers <work-dir>/<model>/<eval-id>/<model>_MMVPSynth.xlsx --out <dir>',
    ]);
    expect(result.usage.join('\n')).not.toMatch(/--data/);
    // report_acc_MMVP asserts df['question'][2i] == df['question'][2i+1] (multiple_choice.py:614-616): rows 3/4 differ by a space
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/asserts that both questions of a pair are the same text.*rows 3\/4 differ/);
  });

  it("refuses the name MMVP (given or from the file name) and lmms-eval's mmvp, naming the collision", async () => {
    await expect(exportMmvp({ data, to: 'vlmevalkit', out: join(scratch, 'x', 'synth.tsv'), name: 'MMVP' })).rejects.toThrow(
      /dataset name 'MMVP' is VLMEvalKit's official MMVP: `--data MMVP` checks the md5 of \$LMUData\/MMVP\.tsv and downloads the official file over this export.*give another --name/,
    );
    await expect(exportMmvp({ data, to: 'vlmevalkit', out: join(scratch, 'x', 'mmvp.tsv') })).rejects.toThrow(/dataset name 'mmvp' is VLMEvalKit's official MMVP/);
    await expect(exportMmvp({ data, to: 'hf', out: join(scratch, 'x', 'mmvp') })).rejects.toThrow(/task name 'mmvp' is lmms-eval's stock mmvp task: its file mmvp\.yaml would replace/);
    await expect(readdir(join(scratch, 'x'))).rejects.toThrow(); // nothing written
  });

  it('replaces the private $LMUData (and so its image cache) only with --force', async () => {
    const tsv = join(scratch, 'again', 'Set.tsv');
    await exportMmvp({ data, to: 'vlmevalkit', out: tsv });
    await mkdir(join(scratch, 'again', 'Set.lmudata', 'images', 'MMVP'), { recursive: true });
    await cp(join(data, 'MMVP Images', '1.png'), join(scratch, 'again', 'Set.lmudata', 'images', 'MMVP', '1.png'));
    await expect(exportMmvp({ data, to: 'vlmevalkit', out: tsv })).rejects.toThrow(/already exists; pass --force/);
    await exportMmvp({ data, to: 'vlmevalkit', out: tsv, force: true });
    expect(await readdir(join(scratch, 'again', 'Set.lmudata'))).toEqual(['MMVP.tsv']);
  });
});
