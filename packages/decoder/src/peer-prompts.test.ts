import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { QUESTION_STYLES, formatQuestion, parseOptions, type QuestionStyle } from './chat-template';

/**
 * The question texts each peer's OWN function builds, made by tools/make_interop_fixtures.py
 * (`prompts`) from the peers' pinned sources (none of their code is committed):
 * - original: tsb0601/MMVP scripts/evaluate_mllm.py:59 (7635005),
 *     cur_prompt = row['Question'] + " " + row['Options']
 * - lmms: lmms-eval 75571cf lmms_eval/tasks/mmvp/utils.py:86-123, `mmvp_doc_to_text(doc, kwargs)`
 *     with _default_template_yaml:20-23's pre_prompt "" and post_prompt
 *     "\nAnswer with the option's letter from the given choices directly.";
 *     options by `_parse_options`: re.findall(r"\([a-z]\)\s*([^(]+?)(?=\s*\([a-z]\)|$)", s, re.IGNORECASE)
 * - cambrian: cambrian-mllm/cambrian 539ffc3 eval/eval/mmvp/mmvp_eval.py:36-45, the statements of
 *     `process()` before `image_id = line["imageId"]`:
 *       qs = line["question"] + " Options:"; options = line["options"].split('(b)') ... parts[1] = "B. " + parts[1]
 *     with `--question_extension`'s default (:166).
 * The option strings are ones MMVP-Synth never makes: `(a) The bird(s) (b) None`, `(a)Left (b)Right`,
 * double spaces, `(a) Red (dark) (b) Blue`, spaces around the fields, uppercase markers, a tab.
 */
interface PeerPromptCase {
  readonly index: number;
  readonly question: string;
  readonly options: string;
  readonly original: string;
  readonly lmms: string;
  readonly cambrian: string;
}
const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/peer-prompts.json', import.meta.url), 'utf8')) as { cases: PeerPromptCase[] };

describe("formatQuestion is byte-identical to each peer's own prompt function", () => {
  for (const style of QUESTION_STYLES) {
    it(`${style}: ${fixture.cases.length} rows of odd option strings`, () => {
      const differing = fixture.cases.filter((row) => formatQuestion(row.question, row.options, style) !== row[style as QuestionStyle]);
      expect(differing.map((row) => ({ options: row.options, ours: formatQuestion(row.question, row.options, style), peer: row[style as QuestionStyle] }))).toEqual([]);
    });
  }

  it("keeps lmms-eval's regex where it loses an option (a '(' inside an option): byte-identical, not repaired", () => {
    expect(parseOptions('(a) Red (dark) (b) Blue')).toEqual(['Blue']);
    expect(parseOptions('(a) The bird(s) (b) None')).toEqual(['The bird', '', 'None']);
    // Python's `$` also matches before one final newline; JS's does not without this care
    expect(parseOptions('(a) Yes (b) No\n')).toEqual(['Yes', 'No']);
  });
});
