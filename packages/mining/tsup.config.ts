import { packageBuild } from '../../configs/tsup.shared';
// decode-worker is loaded by URL from worker threads, so it is its own entry next to index.js.
export default packageBuild({ entry: ['src/index.ts', 'src/decode-worker.ts'] });
