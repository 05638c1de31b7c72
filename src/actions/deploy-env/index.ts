import { runAction } from '../common/run.js';
import { main } from './main.js';

await runAction(main);
