import * as core from '@actions/core';
import { runAction } from '../common/run.js';
import { main } from './main.js';

// Ended without a verdict (see runAction): error, never an empty output the pipeline could misread.
await runAction(main, () => core.setOutput('verdict', 'error'));
