/** Every static check, in the order they run and are reported. */
import type { Check } from '../types.js';
import { composeCheck } from './compose.js';
import { dockerfileCheck } from './dockerfile.js';
import { prometheusCheck } from './prometheus.js';
import { alertmanagerCheck } from './alertmanager.js';
import { gatesCheck } from './gates.js';
import { dashboardsCheck } from './dashboards.js';
import { workflowsCheck } from './workflows.js';
import { pythonAuditCheck, npmAuditCheck } from './audit.js';
import { secretsCheck } from './secrets.js';

export const ALL_CHECKS: Check[] = [
  composeCheck,
  dockerfileCheck,
  prometheusCheck,
  alertmanagerCheck,
  gatesCheck,
  dashboardsCheck,
  workflowsCheck,
  pythonAuditCheck,
  npmAuditCheck,
  secretsCheck,
];
