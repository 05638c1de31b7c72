import * as core from '@actions/core';
import { runAction } from '../common/run.js';
import { main, post } from './main.js';

// One bundle serves both steps of action.yml: the main step saves state, so the post step sees it.
await runAction(core.getState('is-post') === 'true' ? post : main);
