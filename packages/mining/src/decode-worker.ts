// Worker thread entry: builds the processors once, then decodes the paths it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { createPixelProcessors, decodeForModels } from './decode-core';
import type { PixelProcessorSpec } from './pixel-processor';

const port = parentPort!;
const processors = createPixelProcessors((workerData as { processors: PixelProcessorSpec[] }).processors);
processors.catch((error: Error) => port.postMessage({ kind: 'fatal', message: error.message }));

port.on('message', (message: { id: number; path: string }) => {
  void processors.then(async (list) => {
    const result = await decodeForModels(message.path, list);
    const transfer = result.ok ? result.pixels.map((p) => p.buffer as ArrayBuffer) : [];
    port.postMessage({ kind: 'result', id: message.id, result }, transfer);
  });
});
