import { packageBuild } from '../../configs/tsup.shared';
export default packageBuild({ entry: ['src/index.ts'] });
