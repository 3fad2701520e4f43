/**
 * A 300-question MMVP-shaped set whose scores are known by construction, shared by the grading tests of
 * @mmvp/study (gradeMllmAnswers) and of the CLI (`mmvp grade`).
 */
// --- A 300-question MMVP-shaped set whose scores are known by construction -------------------------
// Pair p (rows 2p-1, 2p) asks one question; first row's answer is (a), second's (b) -- except that the
// release's known errors are reproduced: rows 99/100 (pair 50, tusks) and 279/280 (pair 140,
// standing/sitting) carry swapped labels in the file, so their file answers are (b), (a).
export const PAIRS = 150;
const questionOf = (pair: number) => (pair === 50 ? "Are the elephant's tusks long or short?" : pair === 140 ? 'Is the elderly person standing or sitting in the picture?' : `Is thing ${pair} open or closed?`);
const optionsOf = (pair: number) => (pair === 50 ? ['Long', 'Short'] : pair === 140 ? ['Standing', 'Sitting'] : ['Open', 'Closed']);
export const fileAnswer = (id: number) => {
  const pair = Math.ceil(id / 2);
  const first = id % 2 === 1;
  const swapped = pair === 50 || pair === 140;
  return first !== swapped ? 'a' : 'b';
};
/** The truly right answer (= corrected labels). */
export const trueAnswer = (id: number) => (id % 2 === 1 ? 'a' : 'b');

export function questionsCsv(rows = PAIRS * 2, header = 'Index,Question,Options,Correct Answer'): string {
  const lines = [header];
  for (let id = 1; id <= rows; id++) {
    const pair = Math.ceil(id / 2);
    const [a, b] = optionsOf(pair);
    lines.push(`${id},"${questionOf(pair)}","(a) ${a} (b) ${b}",(${fileAnswer(id)})`);
  }
  return lines.join('\n') + '\n';
}

// The model: pairs 1-40 both right; 41-80 first right, second wrong; 81-100 both wrong; 101-150 first
// right, second undetermined ("open or closed"). Pairs 50 and 140 answer the TRUE answers (so they
// are wrong under the original labels and right under the corrected ones). Styles vary by id.
export function responseFor(id: number): string {
  const pair = Math.ceil(id / 2);
  const first = id % 2 === 1;
  const options = optionsOf(pair);
  const letter = (choice: 'a' | 'b') => {
    const text = options[choice === 'a' ? 0 : 1];
    return [`${choice.toUpperCase()}`, `(${choice})`, `The answer is ${choice.toUpperCase()}.`, `${text}.`, `I think it is ${text!.toLowerCase()} in this picture.`][id % 5]!;
  };
  const wrong = (choice: 'a' | 'b') => (choice === 'a' ? 'b' : 'a');
  if (pair === 50 || pair === 140) return letter(trueAnswer(id));
  if (pair <= 40) return letter(fileAnswer(id));
  if (pair <= 80) return letter(first ? fileAnswer(id) : wrong(fileAnswer(id)));
  if (pair <= 100) return letter(wrong(fileAnswer(id)));
  return first ? letter(fileAnswer(id)) : `It could be ${options[0]!.toLowerCase()} or ${options[1]!.toLowerCase()}.`;
}

export function answersJsonl(ids: number[] = Array.from({ length: PAIRS * 2 }, (_, i) => i + 1)): string {
  return (
    ids
      .map((id) => {
        const pair = Math.ceil(id / 2);
        const [a, b] = optionsOf(pair);
        return JSON.stringify({ question_id: id, prompt: `${questionOf(pair)} (a) ${a} (b) ${b}`, answer: `(${fileAnswer(id)})`, response: responseFor(id), answer_id: `id${id}`, model_id: 'fake' });
      })
      .join('\n') + '\n'
  );
}
