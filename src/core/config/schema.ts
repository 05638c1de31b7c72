/** JSON Schema of erp-deploy.yml; published as schema/erp-deploy.schema.json (kept in sync by a test). */
const str = { type: 'string' };
const strList = { type: 'array', items: str };
const strMap = { type: 'object', additionalProperties: str };
const duration = { type: 'string', pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$|^\\d+$' };

export const configSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://erp-deploy.dev/schema/erp-deploy.schema.json',
  title: 'erp-deploy project configuration',
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: {
    version: { const: 1, description: 'Configuration format version.' },
    project: { ...str, pattern: '^[a-z0-9][a-z0-9_-]*$', description: 'Project name; prefixes image names.' },
    compose: {
      type: 'object',
      additionalProperties: false,
      properties: { files: { ...strList, minItems: 1 }, envFiles: strList },
    },
    registry: {
      type: 'object',
      additionalProperties: false,
      properties: { host: str, namespace: str, usernameEnv: str, passwordEnv: str },
    },
    build: {
      type: 'object',
      additionalProperties: false,
      properties: {
        services: strList,
        concurrency: { type: 'integer', minimum: 1, maximum: 32 },
        tags: strList,
        args: strMap,
        push: { type: 'boolean' },
        cache: { enum: ['auto', 'buildx', 'buildkit', 'legacy'] },
      },
    },
    environments: {
      type: 'object',
      minProperties: 1,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          driver: { enum: ['compose', 'swarm'] },
          target: { ...str, pattern: '^(local|ssh://[^@/\\s]+@[^:/\\s]+(:\\d+)?)$' },
          sshKeyEnv: str,
          overlays: strList,
          projectName: { ...str, pattern: '^[a-z0-9][a-z0-9_-]*$' },
          url: { ...str, pattern: '^https?://' },
          prometheusUrl: { ...str, pattern: '^https?://' },
          healthTimeout: duration,
          keepReleases: { type: 'integer', minimum: 1 },
          secrets: strMap,
          env: strMap,
          hooks: {
            type: 'object',
            additionalProperties: false,
            properties: { preDeploy: strList, postDeploy: strList },
          },
        },
      },
    },
    gates: {
      type: 'object',
      additionalProperties: false,
      properties: { file: str, deadline: duration },
    },
    probes: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'url'],
        properties: {
          name: str,
          url: str,
          method: { enum: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] },
          status: { type: 'integer', minimum: 100, maximum: 599 },
          headers: strMap,
          json: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
          contains: str,
          timeout: duration,
          retries: { type: 'integer', minimum: 0, maximum: 20 },
        },
      },
    },
    stateDir: str,
  },
} as const;
