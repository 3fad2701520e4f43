/** Named colours: the name is what captions, questions and statements say; hex is what is drawn. */
export interface NamedColor {
  readonly name: string;
  readonly hex: string;
}

/** Object colours, chosen to be unambiguous to a person (no teal/magenta/beige borderline cases). */
export const OBJECT_COLORS: readonly NamedColor[] = [
  { name: 'red', hex: '#d62828' },
  { name: 'orange', hex: '#f77f00' },
  { name: 'yellow', hex: '#f2d60f' },
  { name: 'green', hex: '#2a9d3f' },
  { name: 'blue', hex: '#1f5fd6' },
  { name: 'purple', hex: '#7b2cbf' },
  { name: 'pink', hex: '#f06aa8' },
  { name: 'brown', hex: '#8b5a2b' },
  { name: 'black', hex: '#222222' },
  { name: 'white', hex: '#f8f8f8' },
];

export interface Background {
  /** Caption phrase with its preposition, e.g. `on a light blue background`. */
  readonly phrase: string;
  /** Upper colour. */
  readonly top: string;
  /** Lower (ground) colour; equal to `top` for a plain background. */
  readonly bottom: string;
  /** Fraction of the height where the ground starts (1 = no ground). */
  readonly horizon: number;
  /** Object colour names that would not stand out on it. */
  readonly avoid: readonly string[];
}

export const BACKGROUNDS: readonly Background[] = [
  { phrase: 'on a light blue background', top: '#bfe3f5', bottom: '#bfe3f5', horizon: 1, avoid: ['blue', 'white'] },
  { phrase: 'on a cream-coloured background', top: '#f3ead2', bottom: '#f3ead2', horizon: 1, avoid: ['white', 'yellow'] },
  { phrase: 'in front of a grey wall', top: '#b9bcc0', bottom: '#b9bcc0', horizon: 1, avoid: ['white', 'black'] },
  { phrase: 'in a grassy field under a blue sky', top: '#9fd3f0', bottom: '#7cbf5a', horizon: 0.62, avoid: ['green', 'blue'] },
  { phrase: 'on a sandy beach', top: '#a9d8f2', bottom: '#e8d29a', horizon: 0.55, avoid: ['yellow', 'white', 'orange'] },
  { phrase: 'on a wooden floor', top: '#e9dcc5', bottom: '#b07d4f', horizon: 0.6, avoid: ['brown', 'orange'] },
  { phrase: 'on a dark background', top: '#2b2d42', bottom: '#2b2d42', horizon: 1, avoid: ['black', 'purple', 'blue', 'brown'] },
  { phrase: 'on a pale green background', top: '#d8f0d0', bottom: '#d8f0d0', horizon: 1, avoid: ['green', 'white', 'yellow'] },
];

/** Darker or lighter shade of a hex colour (factor < 1 darkens, > 1 lightens towards white). */
export function shade(hex: string, factor: number): string {
  const value = Number.parseInt(hex.slice(1), 16);
  const channels = [(value >> 16) & 255, (value >> 8) & 255, value & 255];
  const out = channels.map((c) => {
    const v = factor <= 1 ? c * factor : c + (255 - c) * (factor - 1);
    return Math.max(0, Math.min(255, Math.round(v)));
  });
  return `#${out.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}
