/** Static checks of the deployable: the API the CLI (`erp-deploy validate`) and the test action use. */
export { runValidation, selectChecks, tryLoadConfig, CHECK_NAMES, type ValidateOptions } from './runner.js';
export { validationMarkdown, validationText, where } from './summary.js';
export { missingFiles, formatMissing, layoutOf, type Missing, type Layout } from './layout.js';
export { writeStarter, STARTER_CONFIG } from './init.js';
export type {
  Check,
  CheckContext,
  CheckOutcome,
  CheckResult,
  Finding,
  Severity,
  ValidationReport,
} from './types.js';
