type PairLogits = readonly [readonly [number, number], readonly [number, number]];

/** SigLIP's own score of each (statement, image): sigmoid(logit), [statement][image]. */
export function sigmoidScores(logits: PairLogits): [[number, number], [number, number]] {
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
  return [
    [sigmoid(logits[0][0]), sigmoid(logits[0][1])],
    [sigmoid(logits[1][0]), sigmoid(logits[1][1])],
  ];
}

/**
 * The image each statement picks by SigLIP's sigmoid scores: the larger sigmoid(logit) over the pair's two
 * images, ties to image 2 (as the official rule). Sigmoid is strictly increasing, so this is the image with
 * the larger logit, compared on the logits themselves: sigmoid saturates in floating point (sigmoid(40) is
 * exactly 1 in float64) and would otherwise turn distinct logits into a tie. It equals the choice of the
 * official softmax rule, P(image 1) = 1 / (1 + exp(l2 - l1)) > 0.5 iff l1 > l2 (a logit bias cancels).
 */
export function sigmoidChoices(logits: PairLogits): [1 | 2, 1 | 2] {
  return [logits[0][0] > logits[0][1] ? 1 : 2, logits[1][0] > logits[1][1] ? 1 : 2];
}
