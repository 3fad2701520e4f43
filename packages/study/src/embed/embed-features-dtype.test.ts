// embedFeatures with an int8 dtype (issue #25): the format of the file it picked is logged, and the
// saturation warning appears exactly where the CPU's u8s8 kernel saturates (the feature module decides).
import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { currentCpuFeatures, int8KernelInfo, releaseSessions } from '@mmvp/onnx';
import { embedFeatures } from './embed-features';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const photo = `${root}assets/samples/photo.jpg`;
afterAll(() => releaseSessions());

describe('embedFeatures with dtype', () => {
  it.each([
    { folder: 'clip-int8', dtype: 'int8', format: /u8s8 .*per-channel, weights in \[-64, 64\]/, warns: false },
    { folder: 'clip-uint8', dtype: 'uint8', format: /u8u8 .*exact on every CPU/, warns: false },
    { folder: 'dinov2-int8-full-range', dtype: 'int8', format: /u8s8 .*per-tensor, weights in \[-127, 127\]: full range/, warns: true },
  ] as const)('$folder ($dtype): the int8 format line, and a warning only for full-range u8s8 on a CPU without VNNI', async ({ folder, dtype, format, warns }) => {
    const lines: string[] = [];
    const { tensor } = await embedFeatures({
      model: `${root}models/tap-variants/${folder}`,
      images: [photo],
      dtype,
      onEvent: (event) => lines.push(event.type === 'resolved' ? event.lines.join('\n') : event.type === 'warning' ? `warning: ${event.message}` : ''),
    });
    expect(tensor.dims[0]).toBe(1);
    expect(lines.find((l) => l.startsWith('model: '))).toMatch(new RegExp(`_${dtype}\\.onnx`));
    expect(lines.filter((l) => l.startsWith('int8 format: '))).toEqual([expect.stringMatching(format)]);
    const saturates = int8KernelInfo(currentCpuFeatures()).u8s8 === 'int16-pair-saturating';
    expect(lines.filter((l) => l.startsWith('warning: '))).toEqual(warns && saturates ? [expect.stringMatching(/has full-range u8s8 int8 weights .* 0\.31 .* 0\.056 /)] : []);
  });

  it('fp32 (the default): no int8 line', async () => {
    const lines: string[] = [];
    await embedFeatures({
      model: `${root}models/tap-variants/clip-shared-identity`,
      images: [photo],
      onEvent: (event) => lines.push(event.type === 'resolved' ? event.lines.join('\n') : event.type === 'warning' ? `warning: ${event.message}` : ''),
    });
    expect(lines.some((l) => l.startsWith('int8 format: ') || l.startsWith('warning: '))).toBe(false);
  });
});
