/**
 * gradeMllmAnswers on a 300-question set whose scores are known by construction, and against a local
 * chat-completions judge (moved from apps/cli/test/grade.test.ts, same checks on the library: what the
 * command printed is here the resolved and warning events, summaryLines and the thrown error; the CLI
 * keeps its smoke test, flag errors and --out check).
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESULT_FILES } from '@mmvp/results';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradeMllmAnswers, summaryLines, type GradeMllmOptions } from './grade-mllm';
import type { GradeEvent } from './mmvp-events';
import { PAIRS, fileAnswer, trueAnswer, questionsCsv, responseFor, answersJsonl } from './__fixtures__/hand-checked-answer-set';

// Expected counts, derived from the design above (what each response says), not from the grader.
function expectedCounts(labels: 'original' | 'corrected') {
  let pairs = 0;
  let questions = 0;
  let undetermined = 0;
  for (let pair = 1; pair <= PAIRS; pair++) {
    const ids = [2 * pair - 1, 2 * pair];
    const right = ids.map((id) => {
      const label = labels === 'original' ? fileAnswer(id) : trueAnswer(id);
      const response = responseFor(id);
      if (response.startsWith('It could be')) return false;
      // what the response says, by construction
      const said =
        pair === 50 || pair === 140
          ? trueAnswer(id)
          : pair <= 40
            ? fileAnswer(id)
            : pair <= 80
              ? id % 2 === 1
                ? fileAnswer(id)
                : fileAnswer(id) === 'a'
                  ? 'b'
                  : 'a'
              : pair <= 100
                ? fileAnswer(id) === 'a'
                  ? 'b'
                  : 'a'
                : fileAnswer(id);
      return said === label;
    });
    undetermined += ids.filter((id) => responseFor(id).startsWith('It could be')).length;
    questions += right.filter(Boolean).length;
    if (right[0] && right[1]) pairs++;
  }
  return { pairs, questions, undetermined };
}

let scratch: string;
let questionsFile: string;
let answersFile: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mmvp-study-grade-'));
  questionsFile = join(scratch, 'Questions.csv');
  answersFile = join(scratch, 'answers.jsonl');
  await writeFile(questionsFile, questionsCsv());
  await writeFile(answersFile, answersJsonl());
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** Grades and keeps what `mmvp grade` prints: the resolved lines, the warnings, and summaryLines. */
async function grade(options: Omit<GradeMllmOptions, 'onEvent'>): Promise<{ document: Awaited<ReturnType<typeof gradeMllmAnswers>>; resolved: string; warnings: string; summary: string; events: GradeEvent[] }> {
  const events: GradeEvent[] = [];
  const document = await gradeMllmAnswers({ ...options, onEvent: (event) => events.push(event) });
  return {
    document,
    events,
    resolved: events.flatMap((event) => (event.type === 'resolved' ? event.lines : [])).join('\n'),
    warnings: events.flatMap((event) => (event.type === 'warning' ? [event.message] : [])).join('\n'),
    summary: summaryLines(document).join('\n'),
  };
}

/** The error a grading run rejects with (its name and message are the CLI's `mmvp: Name: message` line). */
async function failure(options: Omit<GradeMllmOptions, 'onEvent'>, events: GradeEvent[] = []): Promise<Error> {
  const error = await gradeMllmAnswers({ ...options, onEvent: (event) => events.push(event) }).then(
    () => undefined,
    (thrown: unknown) => thrown as Error,
  );
  expect(error, 'grading should have failed').toBeInstanceOf(Error);
  return error!;
}

describe('gradeMllmAnswers (rule grader)', () => {
  it('scores pairs (both must be right), writes scores.json, graded.csv and scores.md with provenance', async () => {
    const out = join(scratch, 'rule');
    const result = await grade({ questionsFile, answersFile, out });
    expect(result.resolved).toMatch(/300 answers \(mmvp-answers-jsonl\) of 300 questions .*labels original.*grader rule/);
    const expected = expectedCounts('original');
    // sanity of the design itself: 40 full pairs under the original labels
    expect(expected).toEqual({ pairs: 40, questions: 80 + 39 + 49, undetermined: 49 }); // pairs 50 and 140 answer the true labels
    const scores = JSON.parse(await readFile(join(out, 'scores.json'), 'utf8'));
    expect(scores).toMatchObject({ benchmark: 'MMVP', labels: 'original', pairs: 150, correctPairs: 40, questions: 300, correctQuestions: expected.questions, undetermined: 49 });
    expect(RESULT_FILES['scores.json'].schema.safeParse(scores).error).toBeUndefined(); // the one shape of scores.json
    expect(scores.pairAccuracy).toBeCloseTo((40 / 150) * 100, 10);
    expect(scores.grader.kind).toBe('rule');
    expect(scores.provenance.packages['@mmvp/metrics']).toMatch(/^\d+\.\d+\.\d+/);
    expect(scores.inputs.answers.sha256).toMatch(/^[0-9a-f]{64}$/);
    // 95% interval over pairs, printed as `26.7 [low, high]`: the Wilson interval of 40 of 150, by its
    // closed form (centre (x + z^2/2) / (n + z^2), half width z / (n + z^2) sqrt(x (n - x) / n + z^2 / 4)) = [20.2, 34.2]
    const printed = /MMVP pair accuracy 26\.7 \[(\d+\.\d), (\d+\.\d)\] \(40\/150 pairs\), per-question 56\.0 \[(\d+\.\d), (\d+\.\d)\] \(168\/300\)/.exec(result.summary);
    expect(printed, result.summary).not.toBeNull();
    const z2 = 1.959964 ** 2;
    const half = (Math.sqrt(z2) / (150 + z2)) * Math.sqrt((40 * 110) / 150 + z2 / 4);
    expect(Number(printed![1])).toBeCloseTo(100 * ((40 + z2 / 2) / (150 + z2) - half), 1);
    expect(Number(printed![2])).toBeCloseTo(100 * ((40 + z2 / 2) / (150 + z2) + half), 1);
    expect(scores.pairAccuracyCi95.map((v: number) => v.toFixed(1))).toEqual([printed![1], printed![2]]);
    expect(scores.questionAccuracyCi95.map((v: number) => v.toFixed(1))).toEqual([printed![3], printed![4]]);
    expect(Number(printed![3])).toBeLessThan(56);
    expect(Number(printed![4])).toBeGreaterThan(56);
    expect((await readFile(join(out, 'scores.csv'), 'utf8')).split('\n')[1]).toBe(`all,150,40,"26.7 [${printed![1]}, ${printed![2]}]",300,168,"56.0 [${printed![3]}, ${printed![4]}]"`);
    const graded = (await readFile(join(out, 'graded.csv'), 'utf8')).trim().split('\n');
    expect(graded).toHaveLength(301);
    expect(graded[0]).toBe('question_id,pair_id,pattern,answer,correct,extracted,rule,judge_verdict,judge_reply,judge_cached,response');
    expect(await readFile(join(out, 'scores.md'), 'utf8')).toContain(`| MMVP pair accuracy (paper metric) | 26.7 [${printed![1]}, ${printed![2]}] (40/150 pairs) |`);
  });

  it('labels corrected swaps rows 99/100 and 279/280: pairs 50 and 140 now count', async () => {
    const { document: scores } = await grade({ questionsFile, answersFile, out: join(scratch, 'corrected'), labels: 'corrected' });
    const expected = expectedCounts('corrected');
    expect(expected.pairs).toBe(42);
    expect([scores.correctPairs, scores.correctQuestions, scores.labels]).toEqual([42, expected.questions, 'corrected']);
    expect(scores.labelCorrections.map((c: { rows: readonly number[]; applied: boolean }) => [c.rows, c.applied])).toEqual([
      [[99, 100], true],
      [[279, 280], true],
    ]);
  });

  it('patternsFile gives the per-pattern table', async () => {
    const patterns = join(scratch, 'patterns.csv');
    // pairs 1-50 Texts, 51-150 Color and Appearance (both questions of a pair share the pattern)
    await writeFile(patterns, ['index,pattern', ...Array.from({ length: 300 }, (_, i) => `${i + 1},${i < 100 ? 'Texts' : 'Color and Appearance'}`)].join('\n'));
    const { document } = await grade({ questionsFile, answersFile, out: join(scratch, 'patterns'), patternsFile: patterns });
    const scores = JSON.parse(JSON.stringify(document));
    // Color (benchmark order first): pairs 51-150 -> none of 81-150 count, 51-80 are half-wrong -> 0 of 100.
    // Texts: pairs 1-40 count, 41-50 do not -> 40 of 50.
    expect(scores.perPattern.map((row: { pattern: string; pairs: number; correctPairs: number }) => [row.pattern, row.pairs, row.correctPairs])).toEqual([
      ['Color and Appearance', 100, 0],
      ['Texts', 50, 40],
    ]);
    // Per-pattern intervals are Wilson's: 0 of 100 is [0, z^2 / (100 + z^2)] = [0, 3.7], never [0, 0]; 40 of 50 by the closed form.
    const [color, texts] = scores.perPattern;
    expect(color.pairAccuracyCi95[0]).toBe(0);
    expect(color.pairAccuracyCi95[1]).toBeCloseTo((100 * 1.96 ** 2) / (100 + 1.96 ** 2), 2);
    const z2 = 1.959964 ** 2;
    const centre = (40 + z2 / 2) / (50 + z2);
    const half = (Math.sqrt(z2) / (50 + z2)) * Math.sqrt((40 * 10) / 50 + z2 / 4);
    expect(texts.pairAccuracyCi95[0]).toBeCloseTo(100 * (centre - half), 4); // 66.97
    expect(texts.pairAccuracyCi95[1]).toBeCloseTo(100 * (centre + half), 4); // 88.76
    const table = await readFile(join(scratch, 'patterns', 'scores.md'), 'utf8');
    expect(table).toContain(`| Texts | 50 | 80.0 [${texts.pairAccuracyCi95[0].toFixed(1)}, ${texts.pairAccuracyCi95[1].toFixed(1)}] |`);
    expect(table).toContain('| Color and Appearance | 100 | 0.0 [0.0, 3.7] |');
    expect(await readFile(join(scratch, 'patterns', 'scores.csv'), 'utf8')).toContain(`Texts,50,40,"80.0 [${texts.pairAccuracyCi95[0].toFixed(1)}, ${texts.pairAccuracyCi95[1].toFixed(1)}]",`);
  });

  it('an answers.jsonl with a UTF-8 byte-order mark grades like one without (m6); UTF-16 is decoded; Latin-1 fails naming the file', async () => {
    const plain = (await grade({ questionsFile, answersFile, out: join(scratch, 'plain') })).document;
    const bom = join(scratch, 'answers-bom.jsonl');
    await writeFile(bom, '\uFEFF' + answersJsonl());
    const withBom = await grade({ questionsFile, answersFile: bom, out: join(scratch, 'bom') });
    expect(withBom.warnings).not.toMatch(/Unexpected token/);
    expect(withBom.document.correctPairs).toBe(plain.correctPairs);
    const utf16 = join(scratch, 'answers-utf16.jsonl');
    await writeFile(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(answersJsonl(), 'utf16le')]));
    const decoded = await grade({ questionsFile, answersFile: utf16, out: join(scratch, 'utf16') });
    expect(decoded.document.correctPairs).toBe(plain.correctPairs);
    const latin1 = join(scratch, 'Questions-latin1.csv');
    await writeFile(latin1, Buffer.from(questionsCsv().replace('Is thing 3 open', 'Is the caf\u00e9 3 open'), 'latin1'));
    const bad = await failure({ questionsFile: latin1, answersFile, out: join(scratch, 'latin1') });
    expect(bad.message).toMatch(/Questions-latin1\.csv is not valid UTF-8: byte 0xE9 at offset \d+, line 6 .*save it as UTF-8/);
  });

  it('labels corrected on a file without the known rows says nothing was applied (m18)', async () => {
    const small = join(scratch, 'small-questions.csv');
    await writeFile(small, questionsCsv(8));
    const answers = join(scratch, 'small-answers.jsonl');
    await writeFile(answers, answersJsonl([1, 2, 3, 4, 5, 6, 7, 8]));
    const result = await grade({ questionsFile: small, answersFile: answers, out: join(scratch, 'small'), labels: 'corrected' });
    expect(result.summary).toMatch(/labels original \(--labels corrected requested, but none of the known corrections applies/);
    const applied = await grade({ questionsFile, answersFile, out: join(scratch, 'applied'), labels: 'corrected' });
    expect(applied.summary).toMatch(/labels corrected \(swapped rows 99\/100, 279\/280\)/);
  });

  it('an empty set to score fails with one clear error', async () => {
    const answers = join(scratch, 'one-answer.jsonl');
    await writeFile(answers, answersJsonl([1]));
    const error = await failure({ questionsFile, answersFile: answers, out: join(scratch, 'empty'), allowMissing: true });
    expect(error.name).toBe('DatasetError');
    expect(error.message.split('\n')).toEqual([expect.stringMatching(/no complete pair to grade in .*one-answer\.jsonl: nothing to score/)]);
    await expect(stat(join(scratch, 'empty', 'scores.json'))).rejects.toThrow();
  });
});

describe('gradeMllmAnswers (LLM judge against a local chat-completions server)', () => {
  let server: Server;
  let url: string;
  const requests: { authorization?: string; user: string }[] = [];
  let failNext = 0;
  const secret = 'sk-grade-test-secret-42';
  const keyVariable = 'MMVP_TEST_JUDGE_KEY';
  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const user = JSON.parse(body).messages[1].content as string;
        requests.push({ authorization: request.headers.authorization, user });
        if (failNext > 0) {
          failNext--;
          response.writeHead(failNext % 2 === 0 ? 429 : 500, { 'retry-after': '0' });
          response.end('try again');
          return;
        }
        // A judge that says yes when the response names the correct letter or option text first.
        const correct = /the correct answer is \((a|b)\)/.exec(user)![1]!;
        const options = /\(a\) (.+?) \(b\) (.+?), the correct answer/.exec(user)!;
        const said = /answer:(.*)\?$/s.exec(user)![1]!.toLowerCase();
        const text = (correct === 'a' ? options[1] : options[2])!.toLowerCase();
        const other = (correct === 'a' ? options[2] : options[1])!.toLowerCase();
        const yes = (said.includes(`(${correct})`) || said.replace(/[^a-z]/g, '') === correct || said.includes(`is ${correct}.`) || said.includes(text)) && !said.includes(other);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: yes ? 'Yes' : 'No' } }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  });
  afterAll(async () => {
    delete process.env[keyVariable];
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('grades through the judge, retries 429/500, caches every reply (a re-run sends nothing), never leaks the key', async () => {
    const out = join(scratch, 'llm');
    failNext = 2;
    const options = { questionsFile, answersFile, out, grader: 'llm', judgeUrl: url, judgeModel: 'local-judge', judgeKeyEnv: keyVariable } as const;
    process.env[keyVariable] = secret;
    try {
      const first = await grade(options);
      expect(JSON.stringify(first.events)).not.toContain(secret);
      expect(requests).toHaveLength(302); // 300 + 2 retried
      expect(requests.every((request) => request.authorization === `Bearer ${secret}`)).toBe(true);
      expect(requests[2]!.user).toMatch(/^Given the following question .* \(a\) .* \(b\) .*, the correct answer is \([ab]\)\. Does the following answer correctly answers the question, answer:.*\?$/s);
      const scores = first.document;
      // This judge agrees with the design: same pair count as the rule grader.
      expect(scores.correctPairs).toBe(40);
      expect(scores.grader).toMatchObject({ kind: 'llm', model: 'local-judge', temperature: 0.2, repliesRequested: 300, repliesFromCache: 0 });

      const second = await grade(options);
      expect(requests).toHaveLength(302); // nothing new asked
      expect(second.document.grader).toMatchObject({ repliesRequested: 0, repliesFromCache: 300 });
      expect(second.document.correctPairs).toBe(40);
      for (const file of ['scores.json', 'graded.csv', 'scores.md', 'judge-cache.jsonl']) {
        expect(await readFile(join(out, file), 'utf8')).not.toContain(secret);
      }
      expect(JSON.stringify(second.document) + JSON.stringify(second.events) + second.summary).not.toContain(secret);
    } finally {
      delete process.env[keyVariable];
    }
  });

  it('fails clearly without judgeModel or without the key variable', async () => {
    const base = { questionsFile, answersFile, out: join(scratch, 'llm-bad'), grader: 'llm' } as const;
    const noModel = await failure(base);
    expect(noModel.message).toMatch(/--judge llm needs --judge-model \(the original study used gpt-4-0314\)/);
    delete process.env['MMVP_TEST_UNSET_VARIABLE'];
    const noKey = await failure({ ...base, judgeModel: 'x', judgeKeyEnv: 'MMVP_TEST_UNSET_VARIABLE' });
    expect(noKey.message).toMatch(/environment variable MMVP_TEST_UNSET_VARIABLE .* is not set/);
  });

  it('an endpoint where nothing listens fails at once naming the cause (ECONNREFUSED), not after a minute of silent retries (m17)', async () => {
    // A port that was just free: bind one, close it, point the judge at it.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure({
      questionsFile,
      answersFile,
      out: join(scratch, 'llm-refused'),
      grader: 'llm',
      judgeModel: 'x',
      judgeKeyEnv: 'none',
      judgeUrl: `http://127.0.0.1:${port}/v1`,
    });
    expect(error.message).toMatch(new RegExp(`judge endpoint http://127\\.0\\.0\\.1:${port}/v1/chat/completions is unreachable \\(fetch failed: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)`));
    expect(error.message).not.toMatch(/after \d+ attempt/);
  }, 30_000);
});

describe('gradeMllmAnswers: bad input gives clear errors and loses nothing', () => {
  it('a broken JSONL line and duplicate ids name file and line; earlier results stay untouched', async () => {
    const out = join(scratch, 'keep');
    await grade({ questionsFile, answersFile, out });
    const before = await readFile(join(out, 'scores.json'), 'utf8');
    const lines = answersJsonl().trim().split('\n');
    const broken = join(scratch, 'broken.jsonl');
    await writeFile(broken, [...lines.slice(0, 9), '{"question_id": 10, "response": ', ...lines.slice(10), lines[3]].join('\n') + '\n');
    const error = await failure({ questionsFile, answersFile: broken, out });
    expect(error.message).toMatch(/broken\.jsonl: 2 bad line\(s\); nothing was graded/);
    expect(error.message).toMatch(/broken\.jsonl:10: not valid JSON/);
    expect(error.message).toMatch(/broken\.jsonl:301: question_id 4 was already answered on line 4/);
    expect(await readFile(join(out, 'scores.json'), 'utf8')).toBe(before);
  });

  it('an answer to a question that does not exist, and unanswered questions, are errors (or allowMissing)', async () => {
    const extra = join(scratch, 'extra.jsonl');
    await writeFile(extra, answersJsonl() + JSON.stringify({ question_id: 301, response: 'A' }) + '\n');
    const unknown = await failure({ questionsFile, answersFile: extra, out: join(scratch, 'x1') });
    expect(unknown.message).toMatch(/extra\.jsonl:301: question_id 301 is not a question of .*Questions\.csv \(ids run 1\.\.300\)/);
    const partial = join(scratch, 'partial.jsonl');
    await writeFile(partial, answersJsonl(Array.from({ length: 296 }, (_, i) => i + 1).filter((id) => id !== 7)));
    const missing = await failure({ questionsFile, answersFile: partial, out: join(scratch, 'x2') });
    expect(missing.message).toMatch(/has no answer for 5 question\(s\) .*: 7, 297, 298, 299, 300; nothing was graded/);
    await expect(stat(join(scratch, 'x2', 'scores.json'))).rejects.toThrow();
    const allowed = await grade({ questionsFile, answersFile: partial, out: join(scratch, 'x3'), allowMissing: true });
    expect(allowed.document.pairs).toBe(147); // pairs 4, 149, 150 left out
  });

  it('a CSV missing a column, and an odd row count (reported, the unpaired row left out)', async () => {
    const noColumn = join(scratch, 'no-column.csv');
    await writeFile(noColumn, 'Index,Question,Correct Answer\n1,q,(a)\n');
    const missingColumn = await failure({ questionsFile: noColumn, answersFile, out: join(scratch, 'x4') });
    expect(missingColumn.message).toMatch(/no-column\.csv:1: the header lacks the column\(s\) 'Options'/);
    const odd = join(scratch, 'odd.csv');
    await writeFile(odd, questionsCsv(299));
    const answers299 = join(scratch, 'answers-299.jsonl');
    await writeFile(answers299, answersJsonl(Array.from({ length: 299 }, (_, i) => i + 1)));
    const oddResult = await grade({ questionsFile: odd, answersFile: answers299, out: join(scratch, 'x5') });
    expect(oddResult.warnings).toMatch(/odd\.csv:300: the file has an odd number of rows \(299\)/);
    expect(oddResult.document.pairs).toBe(149);
    const strict = await failure({ questionsFile: odd, answersFile: answers299, out: join(scratch, 'x6'), strict: true });
    expect(`${strict.name}: ${strict.message}`).toMatch(/DatasetError: .*1 problem\(s\) \(strict mode\)/);
  });
});
