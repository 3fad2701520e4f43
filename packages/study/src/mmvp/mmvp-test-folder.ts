import { cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// An MMVP folder for the eval-mllm tests of the library (evaluate-mllm.test.ts) and of the CLI
// (apps/cli/test/eval-mllm.test.ts), exported through @mmvp/study/testing.

const pngs = fileURLToPath(new URL('../../../metrics/src/__fixtures__/mmvp-vlm-tiny/MMVP_VLM_Images/', import.meta.url));

/**
 * Writes an MMVP folder of `pairs` pairs into `dir`: Questions.csv (question k of pair p asks about "picture p",
 * gold (a) for odd rows, (b) for even) and 'MMVP Images/<id>.png', small real PNGs of the MMVP-VLM fixture.
 */
export async function writeTinyMmvpFolder(dir: string, pairs: number): Promise<void> {
  const sources: string[] = [];
  for (const folder of (await readdir(pngs)).sort()) for (const name of (await readdir(join(pngs, folder))).sort()) sources.push(join(pngs, folder, name));
  await mkdir(join(dir, 'MMVP Images'), { recursive: true });
  const rows = ['Index,Question,Options,Correct Answer'];
  for (let id = 1; id <= 2 * pairs; id++) {
    const pair = Math.ceil(id / 2);
    rows.push(`${id},"Is the thing in picture ${pair} facing left or right?",(a) Left (b) Right,(${id % 2 === 1 ? 'a' : 'b'})`);
    await cp(sources[(id - 1) % sources.length]!, join(dir, 'MMVP Images', `${id}.png`));
  }
  await writeFile(join(dir, 'Questions.csv'), rows.join('\n') + '\n');
}
