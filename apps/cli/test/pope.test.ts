import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli';
import { expectOutFolderRefusedFirst } from './helpers/bad-out-folder';

const pngs = fileURLToPath(new URL('../../../packages/metrics/src/__fixtures__/mmvp-vlm-tiny/MMVP_VLM_Images/', import.meta.url));
const tinyPipeline = fileURLToPath(new URL('../../../configs/pipelines/tiny-clip.json', import.meta.url));
const OBJECTS = ['cat', 'dog', 'bus', 'car', 'cup', 'kite'];

/** A POPE folder as released: coco_pope_<split>.json (JSON lines) + val2014/ images (small real PNGs). */
async function popeFolder(dir: string): Promise<void> {
  await mkdir(join(dir, 'val2014'), { recursive: true });
  const folder = (await readdir(pngs)).sort()[0]!;
  const sources = (await readdir(join(pngs, folder))).sort().slice(0, 3);
  for (const [i, source] of sources.entries()) await cp(join(pngs, folder, source), join(dir, 'val2014', `COCO_val2014_00000000000${i + 1}.png`));
  for (const [s, split] of ['random', 'popular', 'adversarial'].entries()) {
    const lines = OBJECTS.map((object, i) =>
      JSON.stringify({ question_id: i + 1, image: `COCO_val2014_00000000000${((i + s) % 3) + 1}.png`, text: `Is there a ${object} in the image?`, label: (i + s) % 2 === 0 ? 'yes' : 'no' }),
    );
    await writeFile(join(dir, `coco_pope_${split}.json`), lines.join('\n') + '\n');
  }
}

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-cli-pope-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('flags that apply only with --queue (#31 minor)', () => {
  it('--shard-size or --queue-name without --queue fails in one line before anything runs', async () => {
    const out = join(scratch, 'queue-only');
    // the rule is the queue flag group's, one code path for every command (apps/cli/src/flags/flag-table.test.ts)
    for (const [command, flag, value] of [['pope', '--shard-size', '10']] as const) {
      const result = await runCli([command, '--pipeline', tinyPipeline, '--data', scratch, '--out', out, flag, value]);
      expect(result.code, command).toBe(1);
      expect(result.stderr).toBe(`mmvp: InvalidArgumentError: ${flag} applies only with --queue (a distributed run's jobs); remove it, or add --queue redis://HOST:PORT\n`);
    }
    await expect(readdir(out)).rejects.toThrow(); // nothing created
  });
});

// The scores (a hand-checked confusion matrix), resume after a cut, and a folder without POPE files are checked on
// evaluatePope (packages/study/src/mmvp/evaluate-pope.test.ts), two runs into one folder and kill/resume in
// kill-resume.property.test.ts; here, what the command prints and its flag rules.
describe('mmvp pope on the tiny pipeline', () => {
  it('smoke: answers every split, prints accuracy/precision/recall/F1/yes-ratio per split, writes the files', async () => {
    const data = join(scratch, 'pope');
    await popeFolder(data);
    const out = join(scratch, 'out');
    const result = await runCli(['pope', '--pipeline', tinyPipeline, '--data', data, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/mmvp pope: 18 questions \(random: coco_pope_random\.json, popular: coco_pope_popular\.json, adversarial: coco_pope_adversarial\.json\)/);
    expect(result.stdout).toMatch(/^POPE +questions +accuracy +precision +recall +F1 +yes-ratio/);
    expect(result.stdout).toMatch(/\nrandom +6 +\d+\.\d +\d+\.\d +\d+\.\d +\d+\.\d +\d+\.\d\n/);
    const scores = JSON.parse(await readFile(join(out, 'pope-scores.json'), 'utf8'));
    expect(scores.splits.map((s: { split: string }) => s.split)).toEqual(['random', 'popular', 'adversarial']);
    expect((await readFile(join(out, 'pope-answers.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(18);
  });

  it('--out onto a file fails first', async () => {
    await expectOutFolderRefusedFirst('pope', (missing, out) => ['--pipeline', join(missing, 'p.json'), '--data', missing, '--out', out]);
  });
});
