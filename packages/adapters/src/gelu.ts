/**
 * erf(x) with absolute error below 1.2e-7 (Numerical Recipes' Chebyshev fit of erfc), enough for
 * float32 activations.
 */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const complement =
    t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - complement : complement - 1;
}

/** PyTorch's default `nn.GELU()` (exact, erf form): x * 0.5 * (1 + erf(x / sqrt(2))). In place. */
export function geluInPlace(values: Float32Array): void {
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    values[i] = 0.5 * x * (1 + erf(x * Math.SQRT1_2));
  }
}
