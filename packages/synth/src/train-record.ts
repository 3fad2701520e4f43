import type { PatternName } from './patterns';

/**
 * One line of `DIR/train/train.jsonl`, written by `mmvp synth --split train` (one object per image;
 * the two images of a pair are consecutive lines with the same `pair_id`, side 0 then side 1).
 *
 * Why these fields: the training split feeds a tiny CLIP (image + caption), a tiny SSL model (image
 * only; pairs give hard negatives) and a tiny LLaVA (image + question/options -> answer).
 *
 * - `caption` is written like web alt-text: it names the objects, their colours and the background,
 *   and only RARELY (about 1 caption in 8) states the detail the pair differs in (orientation, count,
 *   position, state, text, viewpoint, ...). Both captions of a pair are therefore usually identical,
 *   which is the mechanism the study blames for CLIP-blind pairs: contrastive training on such text
 *   never rewards the detail. Every caption is still a true description of its image (vague, never
 *   wrong). `caption_states_pattern` says whether this one mentions the changed detail.
 *   Colour is part of ordinary alt-text, so "Color and Appearance" captions do name the changed
 *   colour (as real alt-text would; CLIP is best on that pattern in the paper).
 * - `question`/`options`/`answer` DO ask about the pattern, exactly as the MMVP row for this image
 *   would: both images of a pair share the question and options and have different answers.
 * - `statement` is the MMVP-VLM style statement that is true for this image (the other image's
 *   statement is on the other line of the pair).
 * - Ground truth: `attribute` + `value` (e.g. `facing` = `left`), `region` = [x0, y0, x1, y1] pixel box
 *   (x1/y1 exclusive) outside which the two images of the pair are byte-identical.
 *
 * Field names are snake_case because the main consumer is Python (tools/).
 */
export interface TrainRecord {
  /** Image path relative to `DIR/train/`, e.g. `images/000001.png`. */
  readonly image: string;
  /** Alt-text style description (see above). */
  readonly caption: string;
  /** True when the caption states the pattern's changed detail (rare). */
  readonly caption_states_pattern: boolean;
  /** Binary question about the changed detail, as in MMVP's Questions.csv. */
  readonly question: string;
  /** The two option texts, e.g. ['Left', 'Right']. */
  readonly options: readonly [string, string];
  /** The options as MMVP writes them: `(a) Left (b) Right`. */
  readonly options_text: string;
  /** `(a)` or `(b)`, as MMVP's Correct Answer column. */
  readonly answer: '(a)' | '(b)';
  /** The correct option's text, e.g. `Left`. */
  readonly answer_text: string;
  /** MMVP-VLM style statement true for this image, e.g. `the fish is facing left`. */
  readonly statement: string;
  /** One of the nine patterns (benchmark order in `pattern_index`). */
  readonly pattern: PatternName;
  readonly pattern_index: number;
  /** 1-based pair number within the split; both images of a pair share it. */
  readonly pair_id: number;
  /** 0 for the pair's first image, 1 for the second. */
  readonly side: 0 | 1;
  /** Name of the attribute that differs within the pair (e.g. `facing`, `count`, `color`). */
  readonly attribute: string;
  /** This image's value of that attribute (e.g. `left`, `4`, `red`). */
  readonly value: string;
  /** [x0, y0, x1, y1] pixel box of the changed region (x1, y1 exclusive), same for both images. */
  readonly region: readonly [number, number, number, number];
  /** Main object the question is about, e.g. `fish`. */
  readonly subject: string;
  readonly width: number;
  readonly height: number;
}
