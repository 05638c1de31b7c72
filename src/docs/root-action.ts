/**
 * The root action.yml (`uses: org/erp-deploy@v1`), generated from actions/*\/action.yml so it can never drift:
 * one composite entry whose input `command` picks the sub-action. Node sub-actions run their committed bundle
 * (`node $GITHUB_ACTION_PATH/dist/<name>/index.js`) with the inputs mapped to INPUT_* variables, exactly as the
 * runner would; composite sub-actions (actions/test) have their steps inlined. The sub-actions stay usable on
 * their own.
 */
import { parse, stringify } from 'yaml';
import type { ActionDoc, ActionInput, ActionOutput } from './actions.js';

/** Root command → the sub-action that runs it. deploy-env receives the command itself (deploy|plan|rollback). */
export const COMMANDS: Record<string, string> = {
  test: 'test',
  build: 'build-images',
  deploy: 'deploy-env',
  plan: 'deploy-env',
  rollback: 'deploy-env',
  check: 'smoke-check',
};

interface MergedInput extends ActionInput {
  /** sub-action id → its default (when the sub-actions disagree, the root has none and each step falls back). */
  defaults: Record<string, string | undefined>;
  usedBy: string[];
}

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const commandsOf = (id: string): string[] => Object.keys(COMMANDS).filter((c) => COMMANDS[c] === id);

export function mergeInputs(subs: ActionDoc[]): MergedInput[] {
  const merged = new Map<string, MergedInput>();
  for (const a of subs) {
    for (const i of a.inputs) {
      if (i.name === 'command') continue; // the root's own command covers deploy-env's
      const m = merged.get(i.name) ?? { ...i, required: false, defaults: {}, usedBy: [] };
      m.defaults[a.id] = i.default;
      m.usedBy.push(a.id);
      if (m.description.length < i.description.length) m.description = i.description;
      merged.set(i.name, m);
    }
  }
  for (const m of merged.values()) {
    const ds = new Set(Object.values(m.defaults));
    m.default = ds.size === 1 ? [...ds][0] : undefined;
  }
  return [...merged.values()];
}

/** The expression a sub-action step sees for an input: the root's value, or this sub-action's default. */
function inputExpr(m: MergedInput, id: string): string {
  const d = m.defaults[id];
  if (m.default !== undefined || d === undefined || d === '') return `inputs.${m.name}`;
  // a default that is itself an expression (e.g. ${{ github.token }}) falls back to that expression
  const inner = /^\$\{\{\s*([\s\S]+?)\s*\}\}$/.exec(d.trim());
  return `(inputs.${m.name} || ${inner ? inner[1] : quote(d)})`;
}

function condition(id: string): string {
  return commandsOf(id)
    .map((c) => `inputs.command == ${quote(c)}`)
    .join(' || ');
}

function nodeStep(a: ActionDoc, inputs: MergedInput[]): Record<string, unknown> {
  const env: Record<string, string> = {};
  for (const i of a.inputs) {
    const m = inputs.find((x) => x.name === i.name);
    const expr = m ? inputExpr(m, a.id) : `inputs.${i.name}`;
    env[`INPUT_${i.name.toUpperCase()}`] = `\${{ ${expr} }}`;
  }
  return {
    name: `erp-deploy ${a.id}`,
    id: stepId(a.id),
    if: condition(a.id),
    shell: bash,
    run: `node "$GITHUB_ACTION_PATH/dist/${a.id}/index.js"`,
    env,
  };
}
const bash = 'bash';
const stepId = (id: string): string => `erp-${id}`;

/** A composite sub-action's steps, rewritten to run from the root: paths, input defaults and the condition. */
function inlineSteps(a: ActionDoc, inputs: MergedInput[]): Record<string, unknown>[] {
  const steps = (a.runs.steps ?? []) as Record<string, unknown>[];
  const rewrite = (text: string): string =>
    text
      .replace(/\$\{\{\s*github\.action_path\s*\}\}/g, `\${{ github.action_path }}/actions/${a.id}`)
      .replace(/\$\{GITHUB_ACTION_PATH\}|\$GITHUB_ACTION_PATH\b/g, `\${GITHUB_ACTION_PATH}/actions/${a.id}`)
      .replace(
        /\$\{\{([^}]*)\}\}/g,
        (_all, body: string) =>
          `\${{${body.replace(/\binputs\.([A-Za-z0-9_-]+)/g, (x, name: string) => {
            const m = inputs.find((i) => i.name === name);
            return m ? inputExpr(m, a.id) : x;
          })}}}`,
      );
  return steps.map((s) => {
    const copy = parse(rewrite(stringify(s))) as Record<string, unknown>;
    const own = typeof s.if === 'string' ? s.if.replace(/^\s*\$\{\{\s*|\s*\}\}\s*$/g, '') : '';
    copy.if = own
      ? `(${condition(a.id)}) && (${rewrite(`${'${{'} ${own} }}`).replace(/^\$\{\{\s*|\s*\}\}$/g, '')})`
      : condition(a.id);
    return copy;
  });
}

/** Root outputs: each one the first non-empty value among the sub-actions that have it. */
function mergeOutputs(subs: ActionDoc[]): ActionOutput[] {
  const merged = new Map<string, { o: ActionOutput; sources: string[] }>();
  for (const a of subs) {
    for (const o of a.outputs) {
      const src =
        a.runs.using === 'composite' && o.value
          ? o.value.replace(/^\s*\$\{\{\s*|\s*\}\}\s*$/g, '')
          : `steps.${stepId(a.id)}.outputs.${o.name}`;
      const m = merged.get(o.name) ?? { o: { ...o }, sources: [] };
      m.sources.push(src);
      if (m.o.description.length < o.description.length) m.o.description = o.description;
      merged.set(o.name, m);
    }
  }
  return [...merged.values()].map(({ o, sources }) => ({ ...o, value: `\${{ ${sources.join(' || ')} }}` }));
}

export const GENERATED_HEADER =
  '# GENERATED from actions/*/action.yml by scripts/gen-docs.sh (src/docs/root-action.ts): do not edit by hand.\n';

export function rootActionYaml(subs: ActionDoc[]): string {
  const inputs = mergeInputs(subs);
  const present = new Set(subs.map((a) => a.id));
  const commands = Object.keys(COMMANDS).filter((c) => present.has(COMMANDS[c]));
  const doc = {
    name: 'erp-deploy',
    description:
      'Test, build, deploy, gate and roll back the ERP stack: one entry for the four erp-deploy actions ' +
      '(input command), the same core as the CLI.',
    author: 'erp-deploy',
    branding: { icon: 'package', color: 'blue' },
    inputs: {
      command: {
        description: `What to run: ${commands.map((c) => `${c} (actions/${COMMANDS[c]})`).join(', ')}.`,
        required: true,
      },
      ...Object.fromEntries(
        inputs.map((m) => [
          m.name,
          {
            description: `${m.description} [${m.usedBy.flatMap(commandsOf).join(', ')}]`,
            required: false,
            ...(m.default !== undefined ? { default: m.default } : {}),
          },
        ]),
      ),
    },
    outputs: Object.fromEntries(
      mergeOutputs(subs).map((o) => [o.name, { description: o.description, value: o.value }]),
    ),
    runs: {
      using: 'composite',
      steps: [
        {
          name: 'erp-deploy: check the command',
          shell: bash,
          env: { COMMAND: '${{ inputs.command }}' },
          run: [
            'case "$COMMAND" in',
            `  ${commands.join('|')}) ;;`,
            `  *) echo "::error title=erp-deploy: bad input::command \\"$COMMAND\\": expected one of ${commands.join(', ')}"; exit 1 ;;`,
            'esac',
          ].join('\n'),
        },
        ...subs.flatMap((a) =>
          a.runs.using === 'composite' ? inlineSteps(a, inputs) : [nodeStep(a, inputs)],
        ),
      ],
    },
  };
  const pins = Object.assign({}, ...subs.map((a) => a.pinComments)) as Record<string, string>;
  const yaml = stringify(doc, { lineWidth: 0 }).replace(
    /^(\s*(?:-\s+)?uses:\s*)(\S+)$/gm,
    (line, _k, ref: string) => (pins[ref] ? `${line} ${pins[ref]}` : line),
  );
  return GENERATED_HEADER + yaml;
}
