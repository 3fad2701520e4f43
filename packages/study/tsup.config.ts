import { packageBuild } from '../../configs/tsup.shared';
// three entries (package.json "exports"): `.`, `./queue` and `./testing`; shared code goes into chunks, so a
// class (an error) is one class whichever entry it is imported from
export default packageBuild({ entry: ['src/index.ts', 'src/queue-entry.ts', 'src/testing-entry.ts'] });
