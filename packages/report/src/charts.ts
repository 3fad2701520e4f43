import type { TopLevelSpec } from 'vega-lite';
import type { MllmScores, Sweep, VlmScoresFile as VlmScores } from '@mmvp/results';

/**
 * Vega-Lite specs for the report's plots. They are data-in, spec-out, so the same plots can be
 * rendered elsewhere (e.g. in a notebook with vega-embed).
 */
const schema = 'https://vega.github.io/schema/vega-lite/v5.json';
const palette = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d', '#bab0ac', '#ff9da6'];
const baseConfig = {
  font: 'Helvetica, Arial, sans-serif',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 260 },
  title: { fontSize: 14, anchor: 'start' as const },
  range: { category: palette },
};

type Interval = readonly [number, number];

/** An interval as a thin vertical rule from low to high (error bar); `extra` adds encodings (xOffset, x). */
function errorBarLayer(values: readonly object[], encoding: Record<string, unknown>): object {
  return {
    data: { values },
    mark: { type: 'rule', color: '#333', strokeWidth: 1.2, tooltip: true, aria: true, ariaRoleDescription: 'error bar' },
    encoding: { ...encoding, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } },
  };
}

/** `16.3 [10.4, 22.2]` for titles and tooltips. */
function withInterval(value: number, ci: Interval | null | undefined, digits = 1): string {
  return ci ? `${value.toFixed(digits)} [${ci[0].toFixed(digits)}, ${ci[1].toFixed(digits)}]` : value.toFixed(digits);
}

/** MMVP-VLM per-pattern scores: grouped bars, one colour per model, chance (25%) as a rule. */
export function vlmBarsSpec(scores: VlmScores): TopLevelSpec {
  const values = scores.models.flatMap((model) => scores.patterns.map((pattern) => ({ pattern, model: model.name, score: model.perPattern[pattern]! })));
  const intervals = scores.models.flatMap((model) =>
    scores.patterns.flatMap((pattern) => {
      const ci = model.perPatternCi95?.[pattern];
      return ci ? [{ pattern, model: model.name, low: ci[0], high: ci[1], interval: withInterval(model.perPattern[pattern]!, ci) }] : [];
    }),
  );
  const models = scores.models.map((model) => model.name);
  return {
    $schema: schema,
    title: {
      text: 'MMVP-VLM-style score per visual pattern',
      subtitle: `pairs where both statements pick the right image, % (chance 25%)${intervals.length > 0 ? '; error bars: 95% Wilson interval over pairs' : ''}`,
    },
    config: baseConfig,
    layer: [
      {
        data: { values },
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x: { field: 'pattern', type: 'nominal', sort: scores.patterns, title: null, axis: { labelAngle: -30, labelLimit: 240 } },
          xOffset: { field: 'model', type: 'nominal', sort: scores.models.map((model) => model.name) },
          y: { field: 'score', type: 'quantitative', title: 'score (%)', scale: { domain: [0, 100] } },
          color: { field: 'model', type: 'nominal', sort: scores.models.map((model) => model.name), legend: { orient: 'top', title: null } },
        },
      },
      ...(intervals.length === 0
        ? []
        : [
            errorBarLayer(intervals, {
              x: { field: 'pattern', type: 'nominal', sort: scores.patterns },
              xOffset: { field: 'model', type: 'nominal', sort: models },
              tooltip: [{ field: 'model' }, { field: 'pattern' }, { field: 'interval', title: '95% interval' }],
            }),
          ]),
      {
        data: { values: [{ chance: 25 }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#888' },
        encoding: { y: { field: 'chance', type: 'quantitative' } },
      },
    ],
    width: { step: 18 }, // per model bar (xOffset), so a pattern group widens with the number of models
    height: 220,
  } as TopLevelSpec;
}

/** MMVP pair accuracy per pattern: one small bar chart per model (faceted), same y scale. */
export function mllmBarsSpec(scores: MllmScores): TopLevelSpec {
  const values = scores.models.flatMap((model) =>
    scores.patterns.map((pattern) => {
      const ci = model.perPatternCi95?.[pattern];
      return { pattern, model: model.name, score: model.perPattern[pattern]!, ...(ci ? { low: ci[0], high: ci[1], interval: withInterval(model.perPattern[pattern]!, ci) } : {}) };
    }),
  );
  const hasIntervals = scores.models.some((model) => model.perPatternCi95 !== undefined);
  const bar = { mark: { type: 'bar', tooltip: true, color: '#4c78a8' } };
  const x = { field: 'pattern', type: 'nominal', sort: scores.patterns, title: null, axis: { labelAngle: -40, labelLimit: 90, labelFontSize: 9 } };
  return {
    $schema: schema,
    title: { text: 'MMVP pair accuracy per visual pattern, per model', subtitle: `both questions of a pair right, % (chance 25%)${hasIntervals ? '; error bars: 95% Wilson interval over pairs' : ''}` },
    config: baseConfig,
    data: { values },
    facet: { field: 'model', type: 'nominal', sort: scores.models.map((model) => model.name), title: null, header: { labelFontSize: 12, labelLimit: 240 } },
    columns: 3,
    spec: hasIntervals
      ? {
          width: 230,
          height: 130,
          layer: [
            { ...bar, encoding: { x, y: { field: 'score', type: 'quantitative', title: '%', scale: { domain: [0, 100] } } } },
            {
              mark: { type: 'rule', color: '#333', strokeWidth: 1.2, tooltip: true, aria: true, ariaRoleDescription: 'error bar' },
              encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, tooltip: [{ field: 'pattern' }, { field: 'interval', title: '95% interval' }] },
            },
          ],
        }
      : {
          width: 230,
          height: 130,
          ...bar,
          encoding: { x, y: { field: 'score', type: 'quantitative', title: '%', scale: { domain: [0, 100] } } },
        },
  } as TopLevelSpec;
}

/** Per-pattern scatter of a CLIP-style score (x) against an MLLM score (y), labelled by pattern. */
export function correlationSpec(options: {
  patterns: readonly string[];
  x: Record<string, number>;
  y: Record<string, number>;
  xTitle: string;
  yTitle: string;
  pearson: number | null;
  pearsonCi95?: Interval | null | undefined;
}): TopLevelSpec {
  const values = options.patterns.map((pattern) => ({ pattern, x: options.x[pattern]!, y: options.y[pattern]! }));
  const r = options.pearson === null ? 'undefined (a constant series)' : `${withInterval(options.pearson, options.pearsonCi95, 2)}${options.pearsonCi95 ? ' (95% bootstrap interval)' : ''}`;
  return {
    $schema: schema,
    title: { text: `Per-pattern correlation: Pearson r = ${r}`, subtitle: 'one point per visual pattern' },
    config: baseConfig,
    data: { values },
    width: 360,
    height: 260,
    // Colour per pattern with a legend instead of text labels, which would overprint where scores tie.
    mark: { type: 'point', filled: true, size: 90, opacity: 0.85, tooltip: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: options.xTitle, scale: { domain: [0, 100] } },
      y: { field: 'y', type: 'quantitative', title: options.yTitle, scale: { domain: [0, 100] } },
      color: { field: 'pattern', type: 'nominal', sort: [...options.patterns], title: 'pattern' },
    },
  } as TopLevelSpec;
}

/** The A-MoF sweep: both axes of the trade-off against the DINOv2 ratio r, with reference lines. */
export function sweepCurveSpec(sweep: Sweep): TopLevelSpec {
  const points = [...sweep.points].sort((a, b) => a.ratio - b.ratio);
  const pairLabel = 'MMVP pair accuracy';
  const proxyLabel = sweep.proxy.name;
  const values = points.flatMap((point) => [
    { ratio: point.ratio, metric: pairLabel, value: point.pairAccuracy },
    ...(point.instructionFollowing === null ? [] : [{ ratio: point.ratio, metric: proxyLabel, value: point.instructionFollowing }]),
  ]);
  const references = sweep.references.map((reference) => ({ label: `${reference.model}: pair accuracy ${withInterval(reference.pairAccuracy, reference.pairAccuracyCi95)}`, value: reference.pairAccuracy }));
  const intervals = points.flatMap((point) => [
    ...(point.pairAccuracyCi95 ? [{ ratio: point.ratio, metric: pairLabel, low: point.pairAccuracyCi95[0], high: point.pairAccuracyCi95[1], interval: withInterval(point.pairAccuracy, point.pairAccuracyCi95) }] : []),
    ...(point.instructionFollowing !== null && point.instructionFollowingCi95
      ? [{ ratio: point.ratio, metric: proxyLabel, low: point.instructionFollowingCi95[0], high: point.instructionFollowingCi95[1], interval: withInterval(point.instructionFollowing, point.instructionFollowingCi95) }]
      : []),
  ]);
  const color = { field: 'metric', type: 'nominal', sort: [pairLabel, proxyLabel], scale: { range: ['#4c78a8', '#f58518'] }, legend: { orient: 'top', title: null } };
  const layers: object[] = [
    {
      data: { values },
      mark: { type: 'line', point: { size: 60, filled: true }, tooltip: true },
      encoding: {
        x: { field: 'ratio', type: 'quantitative', title: 'DINOv2 ratio r (A-MoF: (1 - r)·CLIP + r·DINOv2)', scale: { domain: [0, 1] }, axis: { values: points.map((point) => point.ratio), format: '.3~f' } },
        y: { field: 'value', type: 'quantitative', title: '%', scale: { domain: [0, 100] } },
        color,
      },
    },
  ];
  if (intervals.length > 0) {
    layers.push({
      data: { values: intervals },
      mark: { type: 'rule', strokeWidth: 1.5, tooltip: true, aria: true, ariaRoleDescription: 'error bar' },
      encoding: {
        x: { field: 'ratio', type: 'quantitative' },
        y: { field: 'low', type: 'quantitative' },
        y2: { field: 'high' },
        color,
        tooltip: [{ field: 'metric' }, { field: 'ratio' }, { field: 'interval', title: '95% interval' }],
      },
    });
  }
  if (references.length > 0) {
    layers.push({
      data: { values: references },
      layer: [
        { mark: { type: 'rule', strokeDash: [5, 4], color: '#777' }, encoding: { y: { field: 'value', type: 'quantitative' } } },
        {
          mark: { type: 'text', align: 'right', dy: -6, fontSize: 10, color: '#555' },
          encoding: { y: { field: 'value', type: 'quantitative' }, x: { datum: 1 }, text: { field: 'label' } },
        },
      ],
    });
  }
  return {
    $schema: schema,
    title: { text: 'A-MoF ratio sweep', subtitle: `both axes of the trade-off per DINOv2 ratio${intervals.length > 0 ? '; error bars: 95% Wilson interval over pairs' : ''}` },
    config: baseConfig,
    width: 420,
    height: 280,
    layer: layers,
  } as TopLevelSpec;
}

/** The same sweep as a trade-off path: instruction-following proxy (x) vs pair accuracy (y), labelled by r. */
export function tradeOffSpec(sweep: Sweep): TopLevelSpec | undefined {
  const points = sweep.points
    .filter((point) => point.instructionFollowing !== null)
    .sort((a, b) => a.ratio - b.ratio)
    .map((point, order) => ({
      ...point,
      order,
      label: `r=${point.ratio}`,
      pairLow: point.pairAccuracyCi95?.[0] ?? null,
      pairHigh: point.pairAccuracyCi95?.[1] ?? null,
      proxyLow: point.instructionFollowingCi95?.[0] ?? null,
      proxyHigh: point.instructionFollowingCi95?.[1] ?? null,
    }));
  if (points.length === 0) return undefined;
  const references = sweep.references.filter((reference) => reference.instructionFollowing !== null).map((reference) => ({ ...reference, label: reference.model }));
  return {
    $schema: schema,
    title: { text: 'Trade-off', subtitle: `one point per ratio; up: grounding, right: instructions${points.some((point) => point.pairAccuracyCi95) ? '; lines: 95% intervals' : ''}` },
    config: baseConfig,
    width: 320,
    height: 280,
    layer: [
      {
        data: { values: points },
        layer: [
          {
            mark: { type: 'line', point: { filled: true, size: 60 }, color: '#54a24b', tooltip: true },
            encoding: {
              x: { field: 'instructionFollowing', type: 'quantitative', title: `${sweep.proxy.name} (%)`, scale: { zero: false, padding: 20 } },
              y: { field: 'pairAccuracy', type: 'quantitative', title: 'MMVP pair accuracy (%)', scale: { zero: false, padding: 20 } },
              order: { field: 'order', type: 'quantitative' },
            },
          },
          {
            mark: { type: 'text', align: 'left', dx: 6, dy: -6, fontSize: 10, color: '#333' },
            encoding: { x: { field: 'instructionFollowing', type: 'quantitative' }, y: { field: 'pairAccuracy', type: 'quantitative' }, text: { field: 'label' } },
          },
          ...(points.some((point) => point.pairAccuracyCi95)
            ? [
                {
                  transform: [{ filter: 'isValid(datum.pairLow)' }],
                  mark: { type: 'rule', color: '#54a24b', opacity: 0.6, aria: true, ariaRoleDescription: 'error bar' },
                  encoding: { x: { field: 'instructionFollowing', type: 'quantitative' }, y: { field: 'pairLow', type: 'quantitative' }, y2: { field: 'pairHigh' } },
                },
              ]
            : []),
          ...(points.some((point) => point.instructionFollowingCi95)
            ? [
                {
                  transform: [{ filter: 'isValid(datum.proxyLow)' }],
                  mark: { type: 'rule', color: '#54a24b', opacity: 0.6, aria: true, ariaRoleDescription: 'error bar' },
                  encoding: { y: { field: 'pairAccuracy', type: 'quantitative' }, x: { field: 'proxyLow', type: 'quantitative' }, x2: { field: 'proxyHigh' } },
                },
              ]
            : []),
        ],
      },
      ...(references.length === 0
        ? []
        : [
            {
              data: { values: references },
              layer: [
                {
                  mark: { type: 'point', shape: 'diamond', size: 90, filled: true, color: '#b279a2', tooltip: true },
                  encoding: { x: { field: 'instructionFollowing', type: 'quantitative' }, y: { field: 'pairAccuracy', type: 'quantitative' } },
                },
                {
                  mark: { type: 'text', align: 'left', dx: 7, dy: 8, fontSize: 10, color: '#b279a2' },
                  encoding: { x: { field: 'instructionFollowing', type: 'quantitative' }, y: { field: 'pairAccuracy', type: 'quantitative' }, text: { field: 'label' } },
                },
              ],
            },
          ]),
    ],
  } as TopLevelSpec;
}
