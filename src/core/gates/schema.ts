/** JSON Schema of a gates file (compose/gates.yml): unknown keys are errors, durations have one form. */
const duration = { type: 'string', pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$|^\\d+$' };
const count = { type: 'integer', minimum: 0, maximum: 10_000 };
const policy = { enum: ['fail', 'inconclusive', 'pass', 'error', 'evaluate'] };

const gateFields = {
  interval: duration,
  count: { type: 'integer', minimum: 1, maximum: 10_000 },
  initialDelay: duration,
  failureLimit: count,
  inconclusiveLimit: count,
  consecutiveErrorLimit: count,
  errorRetryInterval: duration,
  timeout: duration,
  noData: policy,
  nonFinite: policy,
  multiple: { type: 'boolean' },
};

export const gatesSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://erp-deploy.dev/schema/gates.schema.json',
  title: 'erp-deploy gates file',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'gates'],
  properties: {
    version: { const: 1 },
    variables: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
    defaults: { type: 'object', additionalProperties: false, properties: gateFields },
    gates: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'query'],
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' },
          description: { type: 'string' },
          query: { type: 'string', minLength: 1 },
          successCondition: { type: 'string' },
          failureCondition: { type: 'string' },
          ...gateFields,
          baseline: {
            type: 'object',
            additionalProperties: false,
            properties: {
              query: { type: 'string', minLength: 1 },
              offset: duration,
              noData: { enum: ['fail', 'inconclusive', 'pass', 'error'] },
            },
          },
        },
      },
    },
  },
} as const;
