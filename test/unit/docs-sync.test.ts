/**
 * The generated files match their sources: the root action.yml and docs/reference/inputs.md (every action.yml),
 * docs/configuration.md and schema/erp-deploy.schema.json (src/core/config). On a difference: scripts/gen-docs.sh.
 */
import { readFileSync, existsSync, mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { spawnSync, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { generatedFiles } from '../../src/docs/generate.js';
import { loadSubActions, parseAction } from '../../src/docs/actions.js';
import { COMMANDS, rootActionYaml } from '../../src/docs/root-action.js';
import { configurationRows } from '../../src/docs/configuration.js';
import { configSchema } from '../../src/core/config/schema.js';
import { evaluate } from '../helpers/workflow-sim.js';

let expected: Record<string, string> = {};
beforeAll(async () => {
  expected = await generatedFiles('.');
});
const GENERATED = [
  'action.yml',
  'docs/reference/inputs.md',
  'docs/configuration.md',
  'schema/erp-deploy.schema.json',
  'src/core/config/validate-config.generated.js',
  'src/core/config/validate-config.generated.d.ts',
  'src/core/gates/validate-gates.generated.js',
  'src/core/gates/validate-gates.generated.d.ts',
];

describe('generated files are in sync (run scripts/gen-docs.sh when this fails)', () => {
  it.each(GENERATED)('%s', (path) => {
    expect(Object.keys(expected).sort()).toEqual([...GENERATED].sort());
    expect(existsSync(path)).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(expected[path]);
  });

  it('the reference lists every input and output of every action.yml', () => {
    const ref = readFileSync('docs/reference/inputs.md', 'utf8');
    const subs = loadSubActions('.');
    expect(subs.length).toBeGreaterThan(0);
    for (const a of [parseAction(readFileSync('action.yml', 'utf8'), '', 'action.yml'), ...subs]) {
      expect(ref).toContain(`\`${a.path}\``);
      for (const i of a.inputs) expect(ref).toContain(`| \`${i.name}\` |`);
      for (const o of a.outputs) expect(ref).toContain(`| \`${o.name}\` |`);
    }
  });

  it('the configuration page documents every key of the schema', () => {
    const rows = configurationRows(configSchema, readFileSync('src/core/config/types.ts', 'utf8'));
    expect(rows.length).toBeGreaterThan(30);
    expect(rows.filter((r) => !r.description).map((r) => r.path)).toEqual([]);
    expect(rows.find((r) => r.path === 'environments.<name>.healthTimeout')?.default).toBe('`"180s"`');
  });

  it('the published schema accepts this repository’s erp-deploy.yml and rejects a typo', () => {
    const schema = JSON.parse(readFileSync('schema/erp-deploy.schema.json', 'utf8'));
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate(parse(readFileSync('erp-deploy.yml', 'utf8')))).toBe(true);
    expect(validate({ version: 1, buidl: {} })).toBe(false);
  });
});

describe('root action (uses: org/erp-deploy@v1)', () => {
  const subs = loadSubActions('.');
  const root = parse(readFileSync('action.yml', 'utf8')) as {
    inputs: Record<string, { required?: boolean }>;
    outputs: Record<string, { value: string }>;
    branding: object;
    runs: {
      using: string;
      steps: { id?: string; if?: string; run?: string; env?: Record<string, string> }[];
    };
  };

  it('is a composite with branding, a required command and every sub-action input and output', () => {
    expect(root.runs.using).toBe('composite');
    expect(root.branding).toEqual({ icon: 'package', color: 'blue' });
    expect(root.inputs.command.required).toBe(true);
    for (const a of subs) {
      for (const i of a.inputs) expect([a.id, i.name, i.name in root.inputs]).toEqual([a.id, i.name, true]);
      for (const o of a.outputs) expect([a.id, o.name, o.name in root.outputs]).toEqual([a.id, o.name, true]);
    }
  });

  it('maps every input of a node sub-action to its INPUT_* variable, under that command only', () => {
    for (const a of subs.filter((s) => s.runs.using !== 'composite')) {
      const step = root.runs.steps.find((s) => s.id === `erp-${a.id}`)!;
      expect(step.run).toBe(`node "$GITHUB_ACTION_PATH/dist/${a.id}/index.js"`);
      expect(Object.keys(step.env!).sort()).toEqual(
        a.inputs.map((i) => `INPUT_${i.name.toUpperCase()}`).sort(),
      );
      for (const c of Object.keys(COMMANDS).filter((k) => COMMANDS[k] === a.id))
        expect(step.if).toContain(`'${c}'`);
      // the runner's own mapping: a sub-action's main reads the same variables from its action.yml inputs
      expect(existsSync(`dist/${a.id}/index.js`)).toBe(true);
    }
  });

  it('hands the inputs to the bundle as the runner would (hyphenated names included)', () => {
    const step = root.runs.steps.find((s) => s.id === 'erp-smoke-check')!;
    const runStep = (inputs: Record<string, string>) => {
      const all = { ...Object.fromEntries(Object.keys(root.inputs).map((k) => [k, ''])), ...inputs };
      const env = Object.fromEntries(
        Object.entries(step.env!).map(([k, v]) => [
          k,
          String(
            evaluate(v, {
              inputs: all,
              needs: {},
              status: { success: true, failure: false, cancelled: false },
            }),
          ),
        ]),
      );
      const dir = mkdtempSync(join(tmpdir(), 'erp-root-run-'));
      try {
        writeFileSync(join(dir, 'out'), '');
        return spawnSync('node', [step.run!.match(/"\$GITHUB_ACTION_PATH\/(.+)"/)![1]], {
          env: {
            PATH: process.env.PATH,
            ...env,
            GITHUB_OUTPUT: join(dir, 'out'),
            GITHUB_STEP_SUMMARY: join(dir, 'sum'),
          },
          encoding: 'utf8',
          timeout: 30_000,
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const unknownEnv = runStep({ command: 'check', config: 'erp-deploy.yml', environment: 'nope' });
    expect(unknownEnv.status).toBe(1);
    expect(unknownEnv.stdout).toMatch(/unknown environment "nope"/);
    const badGates = runStep({ command: 'check', environment: 'staging', 'gates-file': 'no-such-gates.yml' });
    expect(badGates.status).toBe(1);
    expect(badGates.stdout).toMatch(/no-such-gates\.yml/);
  });

  it('rejects an unknown command with one clear line', () => {
    const check = root.runs.steps[0];
    const r = spawnSync('bash', ['-c', check.run!], {
      env: { ...process.env, COMMAND: 'deploy-all' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^::error title=erp-deploy: bad input::command "deploy-all": expected one of /);
  });

  it('falls back per sub-action when their defaults disagree, and inlines composite sub-actions', () => {
    const a = parseAction(
      'inputs:\n  x: { default: one }\nruns: { using: node24, main: i.js }\n',
      'deploy-env',
      'a',
    );
    const b = parseAction(
      [
        'inputs:',
        '  x: { default: two }',
        'outputs:',
        '  result: { description: r, value: "${{ steps.run.outputs.result }}" }',
        'runs:',
        '  using: composite',
        '  steps:',
        '    - id: run',
        "      if: ${{ inputs.x != '' }}",
        '      shell: bash',
        '      run: node "$GITHUB_ACTION_PATH/../../dist/test/index.js"',
      ].join('\n'),
      'test',
      'b',
    );
    const y = parse(rootActionYaml([a, b])) as typeof root;
    expect(y.inputs.x).toEqual(expect.not.objectContaining({ default: expect.anything() }));
    const dep = y.runs.steps.find((s) => s.id === 'erp-deploy-env')!;
    expect(dep.env!.INPUT_X).toBe("${{ (inputs.x || 'one') }}");
    const inl = y.runs.steps.find((s) => s.id === 'run')!;
    expect(inl.if).toBe("(inputs.command == 'test') && ((inputs.x || 'two') != '')");
    expect(inl.run).toBe('node "${GITHUB_ACTION_PATH}/actions/test/../../dist/test/index.js"');
    expect(y.outputs.result.value).toBe('${{ steps.run.outputs.result }}');
  });

  it('is accepted by actionlint when a workflow uses it', () => {
    const gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim();
    const dir = mkdtempSync(join(tmpdir(), 'erp-root-action-'));
    try {
      mkdirSync(join(dir, '.github/workflows'), { recursive: true });
      execFileSync('git', ['init', '-q', dir]);
      writeFileSync(join(dir, 'action.yml'), readFileSync('action.yml'));
      writeFileSync(
        join(dir, '.github/workflows/use.yml'),
        'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./\n        with:\n          command: check\n          environment: staging\n',
      );
      const r = spawnSync(join(gopath, 'bin/actionlint'), ['-no-color'], { cwd: dir, encoding: 'utf8' });
      expect(r.stdout + r.stderr).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
