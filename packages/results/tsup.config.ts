import { packageBuild } from '../../configs/tsup.shared';
export default packageBuild();
