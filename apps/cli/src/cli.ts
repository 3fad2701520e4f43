import { Command } from 'commander';
import { runMain } from './run-main';
import { registerPreprocess } from './commands/preprocess';
import { registerEmbed } from './commands/embed';
import { registerTokens } from './commands/tokens';
import { registerAsk } from './commands/ask';
import { registerEvalVlm } from './commands/eval-vlm';
import { registerEvalMllm } from './commands/eval-mllm';
import { registerGrade } from './commands/grade';
import { registerPope } from './commands/pope';
import { registerSynth } from './commands/synth';
import { registerMine } from './commands/mine';
import { registerSweep } from './commands/sweep';
import { registerDemo } from './commands/demo';
import { registerReport } from './commands/report';
import { registerExport } from './commands/export';
import { registerInspect } from './commands/inspect';
import { registerServe } from './commands/serve';
import { registerWorker } from './commands/worker';
import { registerPower } from './commands/power';
import { cliVersion } from './version';

const program = new Command('mmvp')
  .description(
    'MMVP on Node.js: run CLIP and DINOv2 encoders from ONNX, mix their features (Mixture-of-Features), ' +
      'drive an LLM decoder with the visual tokens, and score models on MMVP, MMVP-VLM and POPE. ' +
      'Paper: "Eyes Wide Shut? Exploring the Visual Shortcomings of Multimodal LLMs" (arXiv 2401.06209).',
  )
  .version(cliVersion)
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText(
    'after',
    '\nA pipeline config (--pipeline) is code, like a plugin list: its encoders\' "use" modules are imported and run. ' +
      "Only installed packages (resolved from the config's folder) and './' files inside the config's folder load; " +
      'URLs, absolute paths and ../ out of the folder are refused. Run configs you trust. Workers load only --allow-components.',
  );

for (const register of [
  registerDemo,
  registerPreprocess,
  registerEmbed,
  registerTokens,
  registerAsk,
  registerGrade,
  registerPower,
  registerEvalVlm,
  registerEvalMllm,
  registerPope,
  registerSweep,
  registerSynth,
  registerMine,
  registerExport,
  registerInspect,
  registerReport,
  registerServe,
  registerWorker,
]) {
  register(program);
}

await runMain(program, process.argv);
