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
  it('--shard-size or --queue-name without --queue fails in one line before anything runs (pope, eval-mllm, sweep)', async () => {
    const out = join(scratch, 'queue-only');
    for (const [command, flag, value] of [
      ['pope', '--shard-size', '10'],
      ['eval-mllm', '--shard-size', '10'],
      ['sweep', '--queue-name', 'team'],
    ] as const) {
      const result = await runCli([command, '--pipeline', tinyPipeline, '--data', scratch, '--out', out, flag, value]);
      expect(result.code, command).toBe(1);
      expect(result.stderr).toBe(`mmvp: InvalidArgumentError: ${flag} applies only with --queue (a distributed run's jobs); remove it, or add --queue redis://HOST:PORT\n`);
    }
    await expect(readdir(out)).rejects.toThrow(); // nothing created
  });
});

describe('mmvp pope on the tiny pipeline', () => {
  it('answers every split, reports accuracy/precision/recall/F1/yes-ratio per split, and --resume after a cut gives the same file', async () => {
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
    // Every split's confusion matrix against the answers file, read by hand here: a reply is "no"
    // when its first sentence has the word No, no or not (LLaVA eval_pope.py).
    const answers = (await readFile(join(out, 'pope-answers.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(answers).toHaveLength(18);
    for (const split of scores.splits) {
      const mine = answers.filter((a) => a.category === split.split);
      const saysYes = (text: string) =>
        !text
          .split('.')[0]!
          .replace(/,/g, '')
          .split(' ')
          .some((word) => word === 'No' || word === 'no' || word === 'not');
      const tp = mine.filter((a) => a.label === 'yes' && saysYes(a.text)).length;
      const fp = mine.filter((a) => a.label === 'no' && saysYes(a.text)).length;
      expect([split.truePositives, split.falsePositives, split.total]).toEqual([tp, fp, 6]);
      expect(split.yesRatio).toBeCloseTo((tp + fp) / 6, 12);
    }

    const whole = await readFile(join(out, 'pope-answers.jsonl'), 'utf8');
    await writeFile(join(out, 'pope-answers.jsonl'), whole.split('\n').slice(0, 7).join('\n') + '\n{"question_id": 2, "prom'); // 7 answers, then a cut line
    const refused = await runCli(['pope', '--pipeline', tinyPipeline, '--data', data, '--out', out]);
    expect(refused.stderr).toMatch(/already has answers; pass --resume/);
    const resumed = await runCli(['pope', '--pipeline', tinyPipeline, '--data', data, '--out', out, '--resume', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).asked).toBe(11);
    expect(await readFile(join(out, 'pope-answers.jsonl'), 'utf8')).toBe(whole);
  });

  it('two runs into one --out: one fails at once with the lock message, the other completes', async () => {
    const data = join(scratch, 'pope-lock');
    await popeFolder(data);
    const out = join(scratch, 'locked');
    const run = () => runCli(['pope', '--pipeline', tinyPipeline, '--data', data, '--out', out, '--resume']);
    const [a, b] = await Promise.all([run(), run()]);
    const [winner, loser] = a.code === 0 ? [a, b] : [b, a];
    expect(winner.code, winner.stderr).toBe(0);
    expect(loser.code).toBe(1);
    expect(loser.stderr).toMatch(/^mmvp: RunFolderLockedError: .*locked is in use by 'pope' \(pid \d+/m);
    expect((await readFile(join(out, 'pope-answers.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(18);
  });

  it('a folder without POPE files fails in one line naming the expected files', async () => {
    const empty = join(scratch, 'empty');
    await mkdir(empty);
    const result = await runCli(['pope', '--pipeline', tinyPipeline, '--data', empty, '--out', join(scratch, 'o2')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/has no POPE question file; expected the released names, e\.g\. coco_pope_random\.json/);
  });

  it('--out onto a file fails first', async () => {
    await expectOutFolderRefusedFirst('pope', (missing, out) => ['--pipeline', join(missing, 'p.json'), '--data', missing, '--out', out]);
  });
});
