import { formatWithInterval as ci } from '@mmvp/metrics';
import type { DemoEvent } from '@mmvp/study';
import { cliVersion } from '../version';

/** One stderr line per demo progress event (plain lines: the demo is short); undefined: nothing to say. */
export function demoLine(event: DemoEvent): string | undefined {
  switch (event.type) {
    case 'resolved':
      return `mmvp ${cliVersion}; zoo ${event.zoo}: tiny-clip, tiny-ssl, ${event.models.join(', ')}\ndemo: results -> ${event.out}`;
    case 'eval-set':
      return `eval set: MMVP-Synth seed ${event.seed}, ${event.pairsPerPattern} pairs x ${event.patterns} patterns, ${event.questions} questions, ${event.imageSize} px${event.llava === undefined ? '' : `; LLaVA models: their own set of ${event.llava.pairsPerPattern} pairs x ${event.patterns} patterns, ${event.llava.questions} questions`}`;
    case 'encoders':
      return `encoders: ${event.clip} (CLIP ${event.clipImageSize.join('x')}), ${event.ssl} (SSL, own processor)`;
    case 'progress':
      return event.done === event.total ? `MMVP-VLM: ${event.done}/${event.total} pairs` : undefined;
    case 'vlm-scores':
      return `tiny-clip MMVP-VLM average ${ci(event.clipAverage, event.clipAverageCi95)}; image-only probe: tiny-clip ${ci(event.clipProbeAverage, event.clipProbeAverageCi95)}, tiny-ssl ${ci(event.sslProbeAverage, event.sslProbeAverageCi95)}`;
    case 'blind-pairs':
      return `CLIP-blind pairs (CLIP cos > ${event.clipMin}, SSL cos < ${event.dinoMax}; thresholds from ${event.thresholdSource}) among ${event.pool} images: ${event.found} (${event.samePair} are the two images of one benchmark pair)`;
    case 'model-done':
      return (
        `${event.model}: MMVP pair accuracy ${ci(event.pairAccuracy, event.pairAccuracyCi95)}% (questions ${ci(event.questionAccuracy, event.questionAccuracyCi95)}%), ` +
        `caption-question accuracy ${ci(event.instructionFollowing, event.instructionFollowingCi95)}%, ${event.seconds.toFixed(1)} s`
      );
    case 'seeds':
      return `${event.configuration} over ${event.seeds} seeds: MMVP pair accuracy mean ${ci(event.mean, event.meanCi95)}% (interval over pairs), sd ${event.sd.toFixed(1)}, range ${event.min.toFixed(1)}-${event.max.toFixed(1)}`;
    case 'seed-comparison':
      return (
        `${event.b} - ${event.a}, seed means: ${event.difference >= 0 ? '+' : ''}${ci(event.difference, event.differenceCi95WithSeeds)} points counting seeds and pairs ` +
        `([${event.differenceCi95[0].toFixed(1)}, ${event.differenceCi95[1].toFixed(1)}] with the seeds held fixed)` +
        (event.resolved ? ' (resolved: the interval excludes 0)' : ` (not resolved: the interval includes 0${event.seedsToResolve === null ? '' : `; about ${event.seedsToResolve} seeds each would resolve it`})`)
      );
    case 'correlation':
      return `Pearson r(${event.x} per pattern, ${event.y} per pattern) = ${event.pearson === null ? 'undefined' : event.pearson.toFixed(3)}${event.pearsonCi95 ? ` [${event.pearsonCi95[0].toFixed(3)}, ${event.pearsonCi95[1].toFixed(3)}]` : ''}`;
    case 'stage-done':
      return `${event.stage} done in ${event.seconds.toFixed(1)} s`;
    case 'report':
      return `report: ${event.path}`;
  }
}
