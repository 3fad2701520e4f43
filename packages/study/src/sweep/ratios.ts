import { InvalidArgumentError } from '@mmvp/core';

/** The paper's A-MoF ratios (Table 3). */
export const PAPER_RATIOS = '0,0.25,0.5,0.625,0.75,0.875,1';

/** One swept ratio: its value, and its text as written (what `{r}` in a per-ratio config path becomes). */
export interface SweepRatio {
  readonly value: number;
  readonly text: string;
}

/** A plain decimal: `0`, `1`, `0.25`, `1.0` (no sign, exponent, hex, leading dot or leading zeros). */
const PLAIN_DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;

const validForm = `a comma-separated list of DINOv2 ratios in [0, 1], each a plain decimal given once (e.g. ${PAPER_RATIOS})`;

/**
 * Parses a ratio list (`--ratios 0,0.25,0.5`). Each item is a plain decimal in [0, 1], given once:
 * an empty item (`0,,1`), hex (`0x1`), an exponent (`1e-1`), a value outside [0, 1] or the same
 * value twice (`0.5,0.50`) is an error naming `label`, the list and the valid form. Numbers in a list
 * are taken as JavaScript writes them (`0.5` -> `'0.5'`). Each ratio keeps its text as written, which
 * is what `{r}` in a per-ratio config path becomes: `0.50` selects `amof-0.50.json`, `0.5`
 * selects `amof-0.5.json`; since a value may appear only once, a list never names both.
 */
export function parseRatios(list: string | readonly (number | string)[], label = 'ratios'): SweepRatio[] {
  const listText = typeof list === 'string' ? list : list.join(',');
  const fail = (reason: string): never => {
    throw new InvalidArgumentError(`${label} must be ${validForm}; got '${listText}': ${reason}`);
  };
  const items = typeof list === 'string' ? list.split(',') : list;
  if (items.length === 0 || (typeof list === 'string' && list.trim() === '')) fail('the list is empty');
  const ratios: SweepRatio[] = [];
  for (const [index, item] of items.entries()) {
    let text: string;
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) fail(`item ${index + 1} (${item}) is not a finite number`);
      text = String(item);
    } else text = item.trim();
    if (text === '') fail(`item ${index + 1} is empty`);
    if (!PLAIN_DECIMAL.test(text)) fail(`'${text}' is not a plain decimal`);
    const value = Number(text);
    if (value < 0 || value > 1) fail(`'${text}' is outside [0, 1]`);
    const earlier = ratios.findIndex((ratio) => ratio.value === value);
    if (earlier >= 0) fail(`${value} is given twice (items ${earlier + 1} '${ratios[earlier]!.text}' and ${index + 1} '${text}')`);
    ratios.push({ value, text });
  }
  return ratios;
}
