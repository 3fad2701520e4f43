/**
 * Hand-checked answer set for the rule-based grader: responses in the styles real models give to
 * MMVP questions (bare letters, letters in brackets, option text, sentences, refusals, both options
 * mentioned), each with the choice a careful human reads from it. Written by hand; a comment marks
 * every case where the reading is not obvious. `undetermined` means a human would not credit either
 * option without guessing.
 */
export interface ExtractionCase {
  readonly response: string;
  readonly options: readonly [string, string];
  readonly expected: 'a' | 'b' | 'undetermined';
}

const openClosed = ['Open', 'Closed'] as const;
const leftRight = ['Left', 'Right'] as const;
const yesNo = ['Yes', 'No'] as const;
const counts = ['3', '4'] as const;
const standingSitting = ['Standing', 'Sitting'] as const;
const redBlue = ['Red', 'Blue'] as const;

export const extractionCases: readonly ExtractionCase[] = [
  // --- bare letters (lmms-eval / Cambrian prompt "Answer with the option's letter") ---
  { response: 'A', options: openClosed, expected: 'a' },
  { response: 'B', options: openClosed, expected: 'b' },
  { response: 'a', options: openClosed, expected: 'a' }, // lowercase alone is still the letter
  { response: 'b.', options: leftRight, expected: 'b' },
  { response: 'B.', options: leftRight, expected: 'b' },
  { response: ' A\n', options: leftRight, expected: 'a' },
  { response: '**B**', options: yesNo, expected: 'b' }, // markdown bold
  { response: 'Option B', options: yesNo, expected: 'b' },
  // --- letters in brackets and with punctuation ---
  { response: '(a)', options: openClosed, expected: 'a' },
  { response: '(b)', options: openClosed, expected: 'b' },
  { response: '(B)', options: redBlue, expected: 'b' },
  { response: '[a]', options: redBlue, expected: 'a' },
  { response: 'A)', options: redBlue, expected: 'a' },
  { response: 'b)', options: redBlue, expected: 'b' },
  { response: '(a) Open', options: openClosed, expected: 'a' },
  { response: '(b) Closed', options: openClosed, expected: 'b' },
  { response: 'A. Left', options: leftRight, expected: 'a' },
  { response: 'B: Right', options: leftRight, expected: 'b' },
  { response: 'A - Standing', options: standingSitting, expected: 'a' },
  { response: '(b) The person is sitting on a bench.', options: standingSitting, expected: 'b' },
  // --- "the answer is X", "option X" ---
  { response: 'The answer is B.', options: openClosed, expected: 'b' },
  { response: 'The correct answer is (a) Open.', options: openClosed, expected: 'a' },
  { response: 'Answer: A', options: leftRight, expected: 'a' },
  { response: 'answer: (b)', options: leftRight, expected: 'b' },
  { response: 'The answer is b because the tail points that way.', options: leftRight, expected: 'b' },
  { response: 'Looking at the image carefully, the answer is Closed.', options: openClosed, expected: 'b' }, // option text after "answer is"
  { response: 'I would choose option A.', options: yesNo, expected: 'a' },
  { response: 'The correct option is B, since there are four apples.', options: counts, expected: 'b' },
  { response: 'Based on the image, option (b) is correct.', options: openClosed, expected: 'b' },
  { response: "I'd go with the second option.", options: leftRight, expected: 'b' }, // ordinal mention
  { response: "It's B.", options: redBlue, expected: 'b' },
  { response: 'Option A describes the image: the flag is red.', options: redBlue, expected: 'a' },
  // --- option text only ---
  { response: 'Open', options: openClosed, expected: 'a' },
  { response: 'closed', options: openClosed, expected: 'b' },
  { response: 'Right.', options: leftRight, expected: 'b' },
  { response: 'Yes', options: yesNo, expected: 'a' },
  { response: 'No.', options: yesNo, expected: 'b' },
  { response: 'Sitting', options: standingSitting, expected: 'b' },
  { response: '4', options: counts, expected: 'b' },
  // --- sentences ---
  { response: "The butterfly's wings are closed.", options: openClosed, expected: 'b' },
  { response: 'A butterfly with its wings open is resting on a flower.', options: openClosed, expected: 'a' }, // leading "A " is the article
  { response: 'The dog is facing to the left from the camera’s perspective.', options: leftRight, expected: 'a' },
  { response: 'The elderly person in the picture is standing next to a wall.', options: standingSitting, expected: 'a' },
  { response: 'There are three apples on the table.', options: counts, expected: 'a' }, // number word for option "3"
  { response: 'Yes, there is a window in the background of the image.', options: yesNo, expected: 'a' },
  { response: 'No, there is no text visible on the sign.', options: yesNo, expected: 'b' },
  { response: 'Yes, there is no doubt that the door is there.', options: yesNo, expected: 'a' }, // leading "Yes," decides though "no" occurs later
  { response: 'The car in the image is painted a bright blue color.', options: redBlue, expected: 'b' },
  { response: 'The dog is not facing left; it is facing right.', options: leftRight, expected: 'b' }, // negated mention does not count
  { response: 'The wings are open, not closed.', options: openClosed, expected: 'a' }, // negated mention does not count
  { response: 'The door is not open.', options: openClosed, expected: 'undetermined' }, // only a negation, no positive pick (a human would infer "closed", but that is a guess)
  // --- both options mentioned without a clear pick ---
  { response: 'The wings could be open or closed.', options: openClosed, expected: 'undetermined' },
  { response: 'From one angle the dog looks to the left, from another to the right.', options: leftRight, expected: 'undetermined' },
  { response: '(a) Open (b) Closed', options: openClosed, expected: 'undetermined' }, // pure echo of the options
  { response: '(a) Open (b) Closed. The wings are closed.', options: openClosed, expected: 'b' }, // echo removed, then a clear sentence
  { response: 'Both A and B seem possible.', options: openClosed, expected: 'undetermined' },
  { response: 'Option A or option B, it is hard to say.', options: leftRight, expected: 'undetermined' }, // two option mentions disagree
  { response: 'The answer is A. Actually, the answer is B.', options: leftRight, expected: 'undetermined' }, // two answer statements disagree
  { response: 'Is the person standing or sitting? The person is sitting.', options: standingSitting, expected: 'b' }, // question sentence ignored
  // --- refusals and hedges ---
  { response: "I'm sorry, but I can't determine whether the wings are open from this image.", options: openClosed, expected: 'undetermined' }, // one option named inside a hedge
  { response: 'I cannot see the image clearly enough to answer.', options: leftRight, expected: 'undetermined' },
  { response: 'It is unclear from the picture.', options: yesNo, expected: 'undetermined' },
  { response: '', options: yesNo, expected: 'undetermined' },
  { response: 'As an AI, I cannot view images.', options: redBlue, expected: 'undetermined' },
  { response: 'The answer is not A.', options: leftRight, expected: 'undetermined' }, // a negated letter is not a pick of B
  // --- tricky shapes ---
  { response: '(a) Closed', options: openClosed, expected: 'undetermined' }, // letter and text contradict each other
  { response: 'Left', options: ['Left', 'Left and up'], expected: 'a' }, // shorter option is inside the longer one
  { response: 'The arrow points left and up.', options: ['Left', 'Left and up'], expected: 'b' }, // longer option masks the shorter
  { response: 'Standing.', options: standingSitting, expected: 'a' },
  { response: 'B) Sitting — the man is on a chair.', options: standingSitting, expected: 'b' },
  { response: 'The answer is (b), sitting.', options: standingSitting, expected: 'b' },
];
