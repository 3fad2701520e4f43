/** What a grader read from a response to a two-option question. */
export type ExtractedChoice = 'a' | 'b' | 'undetermined';

/** Which rule decided (for graded.csv, so a reader can audit every decision). */
export type ExtractionRule = 'empty' | 'letter-only' | 'answer-statement' | 'leading' | 'option-mention' | 'bracket-letter' | 'option-text' | 'conflict' | 'hedged' | 'declarative' | 'none';

/** The option a response chose (or none) and which rule found it. */
export interface ExtractionResult {
  readonly choice: ExtractedChoice;
  readonly rule: ExtractionRule;
}

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

/**
 * Reads which of two options a free-text response picks, the rule-based alternative to the paper's
 * LLM judge (DESIGN 5). It returns `undetermined` rather than guess: a response that mentions both
 * options without a clear pick, hedges ("I cannot tell whether ..."), refuses, or contradicts itself
 * is not counted either way. Rules, first decisive one wins:
 *
 * 1. the whole response is a letter: `a`, `(b)`, `B.`, `A)`, `**B**`, `Option B`;
 * 2. an explicit statement: "the answer is (b)", "Answer: A", "the correct option is Open", "I
 *    choose B" (all such statements must agree);
 * 3. a leading pick: `A.`/`(a)`/`B)`/`A:` or an option's text followed by punctuation at the start
 *    ("Open.", "Yes, ..."); a lone capital `A ` is the article, not a pick. The rest of the text must
 *    not name only the other option;
 * 4. "option B", "choice (a)", "the second option" mentioned (all agreeing);
 * 5. a bracketed letter `(b)` in the text (all agreeing);
 * 6. the option text itself, whole words, case-insensitive (integers also as number words); a
 *    negated mention ("not open") does not count, a question sentence ("... open or closed?") is
 *    ignored; exactly one option must remain;
 * 7. only for Yes/No options and when the question is given: a declarative answer that restates
 *    every content word of the question ("Is there a cat?" -> "There is a cat in the picture.") is
 *    Yes, or No when it is negated ("There is no cat."); one that leaves a content word out ("The
 *    door is closed." to "Is the door open?") stays undetermined rather than guess.
 *
 * A response that hedges ("I'm not sure, but maybe (a)", "it is hard to tell whether ...") is
 * undetermined under rules 3-7: only a whole-letter reply (rule 1) or an explicit "the answer is X"
 * (rule 2) outweighs a hedge. A verbatim echo of the options (`(a) Open (b) Closed`) is removed first.
 * A capital "A" followed by a word ("A cat is ...") is the article, never option A.
 */
export function extractChoiceDetailed(response: string, options: readonly [string, string], question?: string): ExtractionResult {
  let text = response
    .replace(/\*\*|__|`/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^["'“‘]+|["'”’]+$/g, '')
    .trim();
  // Drop a verbatim echo of the options, e.g. "(a) Open (b) Closed".
  const echo = new RegExp(`\\(a\\)\\s*${escapeRegExp(options[0].trim())}\\s*,?\\s*(?:or\\s+)?\\(b\\)\\s*${escapeRegExp(options[1].trim())}`, 'gi');
  text = text.replace(echo, ' ').replace(/\s+/g, ' ').trim();
  if (text.length === 0) return { choice: 'undetermined', rule: 'empty' };

  // 1. The whole response is a letter.
  const only = /^[([]?\s*(?:(?:option|choice)\s+)?([ab])\s*[)\]]?\s*[.:!]?$/i.exec(text);
  if (only) return { choice: only[1]!.toLowerCase() as 'a' | 'b', rule: 'letter-only' };

  const optionPatterns = options.map((option) => optionRegExp(option));

  // 2. Explicit statements: "the answer is X", "answer: X", "the correct option is X", "I choose X".
  const statements = [
    ...text.matchAll(/\b(?:answer|option|choice)\s*(?:is|would be|should be|will be|:|=|-)\s*/gi),
    ...text.matchAll(/\b(?:it's|it is|i choose|i'd choose|i would choose|i pick|i'd pick|i select|i'd go with|i would go with|go with)\s+(?=[([]?[ab]\b)/gi),
  ];
  const statementPicks = new Set<'a' | 'b'>();
  for (const match of statements) {
    const clause = text.slice(match.index! + match[0].length);
    const pick = leadingLetter(clause, true) ?? leadingOptionText(clause, options, /^(?![a-z0-9])/i);
    if (pick !== undefined) statementPicks.add(pick);
  }
  if (statementPicks.size === 1) return { choice: [...statementPicks][0]!, rule: 'answer-statement' };
  if (statementPicks.size > 1) return { choice: 'undetermined', rule: 'conflict' };

  // Past the explicit statements, a hedge means no pick was made.
  if (HEDGES.test(text)) return { choice: 'undetermined', rule: 'hedged' };

  // 3. A leading pick.
  const leading = leadingLetter(text, false) ?? leadingOptionText(text, options, /^(?:[.,;:!)]|$)/);
  if (leading !== undefined) {
    const rest = mentionedOptions(text.replace(/^[([]?[ab][)\].:,]?\s*/i, ''), optionPatterns);
    if (rest.size === 1 && !rest.has(leading)) return { choice: 'undetermined', rule: 'conflict' };
    return { choice: leading, rule: 'leading' };
  }

  // 4. "option B", "choice (a)", "the second option".
  const mentions = new Set<'a' | 'b'>();
  for (const match of text.matchAll(/\b(?:option|choice)\s*[([]?([ab])(?![a-z0-9])/gi)) mentions.add(match[1]!.toLowerCase() as 'a' | 'b');
  for (const match of text.matchAll(/\b(first|second)\s+(?:option|choice)\b/gi)) mentions.add(match[1]!.toLowerCase() === 'first' ? 'a' : 'b');
  if (mentions.size === 1) return { choice: [...mentions][0]!, rule: 'option-mention' };
  if (mentions.size > 1) return { choice: 'undetermined', rule: 'conflict' };

  // 5. A bracketed letter.
  const brackets = new Set([...text.matchAll(/\(([ab])\)/gi)].map((match) => match[1]!.toLowerCase() as 'a' | 'b'));
  if (brackets.size === 1) return { choice: [...brackets][0]!, rule: 'bracket-letter' };
  if (brackets.size > 1) return { choice: 'undetermined', rule: 'conflict' };

  // 6. The option text itself.
  const statementsOnly = text
    .split(/(?<=[.!?])\s+/)
    .filter((sentence) => !sentence.trim().endsWith('?'))
    .join(' ');
  const mentioned = mentionedOptions(statementsOnly, optionPatterns);
  if (mentioned.size === 2) return { choice: 'undetermined', rule: 'conflict' };
  if (mentioned.size === 1) return { choice: [...mentioned][0]!, rule: 'option-text' };

  // 7. A declarative answer to a Yes/No question.
  const declarative = question === undefined ? undefined : declarativeYesNo(text, options, question);
  if (declarative !== undefined) return { choice: declarative, rule: 'declarative' };
  return { choice: 'undetermined', rule: 'none' };
}

/** The choice only (see extractChoiceDetailed for the rules). */
export function extractChoice(response: string, options: readonly [string, string], question?: string): ExtractedChoice {
  return extractChoiceDetailed(response, options, question).choice;
}

// Words of a Yes/No question that carry no content: auxiliaries, articles, the picture itself.
const QUESTION_STOP_WORDS = new Set(
  'is are was were am be been does do did can could will would should has have had there here this that these those it its the a an in on at of to for from with by any some image picture photo shown visible see you we i'.split(
    ' ',
  ),
);
const NEGATION = /\b(?:no|not|none|never|neither|nor|nothing|nobody|without)\b|n't\b/i;

/** Rule 7: 'a' / 'b' for whichever option is Yes / No, or undefined when the rule does not apply. */
function declarativeYesNo(text: string, options: readonly [string, string], question: string): 'a' | 'b' | undefined {
  const normalized = options.map((option) => option.trim().replace(/[.]$/, '').toLowerCase());
  const yes = normalized.indexOf('yes');
  const no = normalized.indexOf('no');
  if (yes < 0 || no < 0) return undefined;
  const words = (value: string) => value.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  const stem = (word: string) => (word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word);
  const content = [
    ...new Set(
      words(question)
        .filter((word) => !QUESTION_STOP_WORDS.has(word))
        .map(stem),
    ),
  ];
  const firstSentence = text.split(/(?<=[.!?])\s+/)[0] ?? text;
  if (content.length === 0 || firstSentence.trim().endsWith('?')) return undefined;
  const said = new Set(words(firstSentence).map(stem));
  if (!content.every((word) => said.has(word))) return undefined;
  const pick = NEGATION.test(firstSentence) ? no : yes;
  return pick === 0 ? 'a' : 'b';
}

// Words that make a single option mention not a pick: refusals, doubt, "whether".
const HEDGES =
  /\b(?:cannot|can't|can not|unable|impossible|not possible|not sure|unsure|unclear|uncertain|hard to (?:say|tell)|difficult to (?:say|tell|determine)|whether|no way to|don't know|do not know|not visible|isn't visible)\b/i;

/** A letter pick at the start of `text`; `inClause`: text after "the answer is" (capital A + space allowed). */
function leadingLetter(text: string, inClause: boolean): 'a' | 'b' | undefined {
  const trimmed = text.trimStart();
  // (a) / [b]; in a clause also "option a" / "choice (b)" (at the very start, rule 4 handles those,
  // so that "Option A or option B" is seen as the conflict it is).
  let match = (inClause ? /^(?:(?:option|choice)\s*)?[([]\s*([ab])\s*[)\]]/i : /^[([]\s*([ab])\s*[)\]]/i).exec(trimmed);
  if (!match && inClause) match = /^(?:option|choice)\s+([ab])(?![a-z0-9])/i.exec(trimmed);
  if (match) return match[1]!.toLowerCase() as 'a' | 'b';
  // a) / B. / A: / b, / "B" alone / "A - ..."
  match = /^([ab])(?:[).:,;!]|\s+[-–—]|\s*$)/i.exec(trimmed);
  if (match) return match[1]!.toLowerCase() as 'a' | 'b';
  if (inClause) {
    // After "the answer is": capital A/B followed by a space is a letter; lowercase "a " is the article.
    match = /^([AB])\s/.exec(trimmed) ?? /^(b)\s/.exec(trimmed);
    if (match) return match[1]!.toLowerCase() as 'a' | 'b';
  }
  return undefined;
}

/** An option's text at the start of `text`, followed by what `after` allows; the longest option wins. */
function leadingOptionText(text: string, options: readonly [string, string], after: RegExp): 'a' | 'b' | undefined {
  const trimmed = text.trimStart().toLowerCase();
  const order = options[0].length >= options[1].length ? [0, 1] : [1, 0];
  for (const index of order) {
    const option = options[index]!.trim().toLowerCase();
    if (option.length === 0 || !trimmed.startsWith(option)) continue;
    if (after.test(trimmed.slice(option.length))) return index === 0 ? 'a' : 'b';
  }
  return undefined;
}

/** Options named in `text` by whole words, not negated, longer options masking shorter ones inside them. */
function mentionedOptions(text: string, patterns: readonly RegExp[]): Set<'a' | 'b'> {
  const spans = patterns.map((pattern) => [...text.matchAll(pattern)].map((match) => [match.index!, match.index! + match[0].length] as const));
  const mentioned = new Set<'a' | 'b'>();
  spans.forEach((list, index) => {
    const others = spans[1 - index]!;
    const longerOther = (start: number, end: number) => others.some(([s, e]) => s <= start && e >= end && e - s > end - start);
    for (const [start, end] of list) {
      if (longerOther(start, end)) continue;
      if (isNegated(text, start)) continue;
      mentioned.add(index === 0 ? 'a' : 'b');
    }
  });
  return mentioned;
}

/** "not open", "isn't left", "no longer", "neither open nor closed". */
function isNegated(text: string, start: number): boolean {
  const before = text.slice(Math.max(0, start - 30), start).toLowerCase();
  return /(?:\bnot|n't|\bnever|\bneither|\bnor|\bno longer|\brather than|\binstead of)\s+(?:\w+\s+)?$/.test(before);
}

function optionRegExp(option: string): RegExp {
  const trimmed = option.trim().replace(/[.]$/, '');
  const alternatives = [escapeRegExp(trimmed)];
  if (/^\d+$/.test(trimmed) && Number(trimmed) < NUMBER_WORDS.length) alternatives.push(NUMBER_WORDS[Number(trimmed)]!);
  const word = NUMBER_WORDS.indexOf(trimmed.toLowerCase());
  if (word >= 0) alternatives.push(String(word));
  return new RegExp(`(?<![a-z0-9])(?:${alternatives.join('|')})(?![a-z0-9])`, 'gi');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
}
