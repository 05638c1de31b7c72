/** The core's Logger backed by @actions/core: annotations, groups and masking on the runner. */
import * as core from '@actions/core';
import type { Logger, Where } from '../../core/log.js';

function props(where?: Where): core.AnnotationProperties {
  return { file: where?.file, startLine: where?.line, startColumn: where?.col, title: where?.title };
}

export const actionsLogger: Logger = {
  info: (m) => core.info(m),
  debug: (m) => core.debug(m),
  warn: (m, where) => core.warning(m, props(where)),
  error: (m, where) => core.error(m, props(where)),
  group: (name, fn) => core.group(name, fn),
  secret: (v) => {
    if (v) core.setSecret(v);
  },
};
