import { Template } from '@huggingface/jinja';
import { InvalidArgumentError, listChoices } from '@mmvp/core';

/** The string in a prompt that the visual tokens replace (LLaVA's DEFAULT_IMAGE_TOKEN). */
export const IMAGE_PLACEHOLDER = '<image>';

/** The system sentence LLaVA-1.5's `llava_v1` conversation starts with ("curious human"; LLaVA conversation.py conv_llava_v1). */
export const VICUNA_SYSTEM = "A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the human's questions.";

/**
 * The system sentence of LLaVA's `vicuna_v1` conversation ("curious user ... user's questions";
 * conversation.py conv_vicuna_v1), the default `--conv_mode` of Cambrian's mmvp_eval.py and of
 * lmms-eval's LLaVA wrapper.
 */
const VICUNA_V1_SYSTEM = "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions.";

/**
 * Built-in conversation templates:
 * - `llava_v1`: `{system} USER: <image>\n{question} ASSISTANT:` (BOS comes from the tokenizer), what
 *   MMVP's evaluate_mllm.py used with LLaVA-1.5;
 * - `vicuna_v1`: the same turn with the `vicuna_v1` system sentence (VICUNA_V1_SYSTEM), what Cambrian's
 *   mmvp_eval.py and lmms-eval's LLaVA wrapper use by default;
 * - `plain`: LLaVA's pretraining template, `<image>\n{question}\n`;
 * - `folder`: the model folder's own Jinja `chat_template`, rendered with an image part and a text part.
 * A custom Jinja template can be given as `{ jinja }`.
 */
export type TemplateName = 'llava_v1' | 'vicuna_v1' | 'plain' | 'folder';
/** Every built-in chat template name, for validation and error messages. */
export const TEMPLATE_NAMES: readonly TemplateName[] = ['llava_v1', 'vicuna_v1', 'plain', 'folder'];
/** A built-in template by name, or a Jinja chat template. */
export type ChatTemplate = TemplateName | { readonly jinja: string };

/** What a template may need besides the question: special tokens and the folder's own chat_template. */
export interface TemplateContext {
  readonly bosToken?: string | undefined;
  readonly eosToken?: string | undefined;
  /** The folder's chat_template, for `model`. */
  readonly modelChatTemplate?: string | undefined;
  /** Where the template came from, for error messages. */
  readonly source?: string;
}

/**
 * Renders one user turn with an image into prompt text that holds exactly one image placeholder.
 * Throws when the template leaves the placeholder out (the visual tokens would have nowhere to go).
 */
export function applyChatTemplate(template: ChatTemplate, question: string, context: TemplateContext = {}): string {
  let text: string;
  let name: string;
  if (template === 'llava_v1') {
    name = 'llava_v1';
    text = `${VICUNA_SYSTEM} USER: ${IMAGE_PLACEHOLDER}\n${question} ASSISTANT:`;
  } else if (template === 'vicuna_v1') {
    name = 'vicuna_v1';
    text = `${VICUNA_V1_SYSTEM} USER: ${IMAGE_PLACEHOLDER}\n${question} ASSISTANT:`;
  } else if (template === 'plain') {
    name = 'plain';
    text = `${IMAGE_PLACEHOLDER}\n${question}\n`;
  } else if (template === 'folder') {
    name = `the chat_template of ${context.source ?? 'the model folder'}`;
    if (context.modelChatTemplate === undefined) {
      throw new InvalidArgumentError(
        `template 'folder' needs a chat_template in ${context.source ?? 'the model folder'}'s tokenizer_config.json, and it has none; choose ${listChoices(['llava_v1', 'plain'])} or give { jinja }`,
      );
    }
    text = renderJinja(context.modelChatTemplate, question, context, name);
  } else if (typeof template === 'object' && typeof template.jinja === 'string') {
    name = 'the custom Jinja template';
    text = renderJinja(template.jinja, question, context, name);
  } else {
    throw new InvalidArgumentError(`unknown chat template ${JSON.stringify(template)}; choose ${listChoices(TEMPLATE_NAMES)} or { jinja: '...' }`);
  }
  const count = text.split(IMAGE_PLACEHOLDER).length - 1;
  if (count !== 1) {
    throw new InvalidArgumentError(`${name} renders ${count} '${IMAGE_PLACEHOLDER}' placeholders, expected exactly 1 (the visual tokens replace it); rendered prompt: ${JSON.stringify(text.slice(0, 200))}`);
  }
  return text;
}

function renderJinja(source: string, question: string, context: TemplateContext, name: string): string {
  let compiled: Template;
  try {
    compiled = new Template(source);
  } catch (cause) {
    throw new InvalidArgumentError(`${name} is not valid Jinja: ${(cause as Error).message}`, { cause });
  }
  const messages = [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: question }] }];
  try {
    return compiled.render({ messages, add_generation_prompt: true, bos_token: context.bosToken ?? '', eos_token: context.eosToken ?? '' });
  } catch (cause) {
    throw new InvalidArgumentError(`${name} failed to render: ${(cause as Error).message}`, { cause });
  }
}

/**
 * The question text MMVP puts inside the template, byte for byte as each peer builds it from the
 * Question and Options fields as written (tested against the peers' own functions on odd option
 * strings, src/__fixtures__/peer-prompts.json):
 * - `original` (tsb0601/MMVP evaluate_mllm.py:59): `{question} {options}`, options as `(a) X (b) Y`;
 * - `lmms` (lmms-eval tasks/mmvp utils.py:86-123 + _default_template_yaml:20-23):
 *   `{question}\nA. {opt1}\nB. {opt2}\nAnswer with the option's letter from the given choices directly.`,
 *   the options found by lmms-eval's own regex (which cannot cross a `(`: `(a) Red (dark) (b) Blue`
 *   gives only `A. Blue`, and `(a) The bird(s) (b) None` three options);
 * - `cambrian` (Cambrian eval/eval/mmvp/mmvp_eval.py:36-45): the options split at `(b)`,
 *   `{question} Options:\nA. {opt1}\nB. {opt2}\nAnswer with the option's letter from the given choices directly.`
 *   (`(a)Left` stays `A.Left`; Cambrian also uses the `vicuna_v1` template, see TEMPLATE_NAMES).
 */
export type QuestionStyle = 'original' | 'lmms' | 'cambrian';
/** Every question style, for validation and error messages. */
export const QUESTION_STYLES: readonly QuestionStyle[] = ['original', 'lmms', 'cambrian'];

const LETTER_INSTRUCTION = "Answer with the option's letter from the given choices directly.";

/** Puts a question and MMVP's `(a) X (b) Y` options into one prompt text in the given style. */
export function formatQuestion(question: string, options: string | undefined, style: QuestionStyle = 'original'): string {
  if (!QUESTION_STYLES.includes(style)) throw new InvalidArgumentError(`unknown prompt style '${String(style)}'; choose ${listChoices(QUESTION_STYLES)}`);
  if (options === undefined || options === '') return question;
  if (style === 'original') return `${question} ${options}`;
  if (style === 'cambrian') return cambrianQuestion(question, options);
  const lines = parseOptions(options).map((option, i) => `${String.fromCharCode(65 + i)}. ${option}`);
  return `${question}\n${lines.join('\n')}\n${LETTER_INSTRUCTION}`;
}

/** The characters Python's `str.strip()` and a `str` pattern's `\s` treat as whitespace (`str.isspace`). */
const PYTHON_SPACE = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PYTHON_STRIP = new RegExp(`^[${PYTHON_SPACE}]+|[${PYTHON_SPACE}]+$`, 'g');

/** Python's `str.strip()` with no argument. */
function pythonStrip(text: string): string {
  return text.replace(PYTHON_STRIP, '');
}

/**
 * lmms-eval's `_parse_options` (tasks/mmvp/utils.py:86-90):
 * `re.findall(r"\([a-z]\)\s*([^(]+?)(?=\s*\([a-z]\)|$)", options, re.IGNORECASE)`, each match stripped.
 * Python's `$` also matches before a final newline, its `\s` is Unicode whitespace, and under
 * IGNORECASE `[a-z]` also matches `ſ` and the Kelvin sign: all written out here.
 */
const LMMS_OPTION = new RegExp(`\\([a-zA-Z\\u017f\\u212a]\\)[${PYTHON_SPACE}]*([^(]+?)(?=[${PYTHON_SPACE}]*\\([a-zA-Z\\u017f\\u212a]\\)|\\n?$)`, 'g');

/** Splits MMVP's option string `(a) X (b) Y` into `['X', 'Y']` as lmms-eval's mmvp task does. */
export function parseOptions(options: string): string[] {
  const result = [...options.matchAll(LMMS_OPTION)].map((match) => pythonStrip(match[1]!));
  if (result.length === 0) throw new InvalidArgumentError(`cannot read options ${JSON.stringify(options)}: expected the form '(a) X (b) Y'`);
  return result;
}

/** Cambrian's `process()` question text (eval/eval/mmvp/mmvp_eval.py:36-45), with its default `--question_extension` (:166). */
function cambrianQuestion(question: string, options: string): string {
  const parts = options
    .split('(b)')
    .map(pythonStrip)
    .map((part) => part.replaceAll('(a)', 'A.').replaceAll('(b)', 'B.'));
  if (parts.length > 1) parts[1] = `B. ${parts[1]}`;
  return `${question} Options:${parts.map((part) => `\n${part}`).join('')}\n${LETTER_INSTRUCTION}`;
}
