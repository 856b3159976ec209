import { packageTestConfig } from '../../scripts/vitest-shared.js';

export default packageTestConfig();
