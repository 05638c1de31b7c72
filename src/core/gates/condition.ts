/**
 * The condition language of gates: a small, safe expression language (never eval / new Function).
 *   result < 0.01            result <= baseline * 1.1 + 0.001     isNaN(result) || result > 0.5
 *   len(results) == 0        min(results) == 1                     not (result > 2) and result >= 0
 * Names: result (the value), results (every series' value), baseline. Literals: numbers, true, false, NaN, Inf.
 * Operators by precedence: || or  ·  && and  ·  == != < <= > >=  ·  + -  ·  * / %  ·  unary ! not -  ·  ( ) f(x).
 * Functions: isNaN isInf isFinite len min max sum avg abs.
 */

export type Value = number | boolean | number[];

export type Node =
  | { kind: 'num'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'name'; name: string; pos: number }
  | { kind: 'unary'; op: '!' | '-'; arg: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node; pos: number }
  | { kind: 'call'; fn: string; args: Node[]; pos: number };

export class ConditionSyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(`${message} at column ${column}`);
    this.name = 'ConditionSyntaxError';
  }
}

/** Raised while evaluating (a type mismatch, a name without a value); the measurement becomes an Error. */
export class ConditionEvalError extends Error {
  override name = 'ConditionEvalError';
}

export const NAMES = ['result', 'results', 'baseline'] as const;
export type Name = (typeof NAMES)[number];
export type Scope = Partial<Record<Name, Value>>;

const FUNCTIONS: Record<string, { arity: number; fn: (a: Value) => Value }> = {
  isNaN: { arity: 1, fn: (a) => Number.isNaN(num(a, 'isNaN')) },
  isInf: { arity: 1, fn: (a) => Math.abs(num(a, 'isInf')) === Infinity },
  isFinite: { arity: 1, fn: (a) => Number.isFinite(num(a, 'isFinite')) },
  abs: { arity: 1, fn: (a) => Math.abs(num(a, 'abs')) },
  len: { arity: 1, fn: (a) => list(a, 'len').length },
  min: { arity: 1, fn: (a) => nonEmpty(a, 'min').reduce((x, y) => Math.min(x, y)) },
  max: { arity: 1, fn: (a) => nonEmpty(a, 'max').reduce((x, y) => Math.max(x, y)) },
  sum: { arity: 1, fn: (a) => list(a, 'sum').reduce((x, y) => x + y, 0) },
  avg: { arity: 1, fn: (a) => nonEmpty(a, 'avg').reduce((x, y) => x + y, 0) / list(a, 'avg').length },
};

function num(v: Value, where: string): number {
  if (typeof v !== 'number') throw new ConditionEvalError(`${where} expects a number, got ${describe(v)}`);
  return v;
}
function list(v: Value, where: string): number[] {
  if (!Array.isArray(v))
    throw new ConditionEvalError(`${where} expects a list (results), got ${describe(v)}`);
  return v;
}
function nonEmpty(v: Value, where: string): number[] {
  const l = list(v, where);
  if (!l.length) throw new ConditionEvalError(`${where} of an empty list`);
  return l;
}
function bool(v: Value, where: string): boolean {
  if (typeof v !== 'boolean') throw new ConditionEvalError(`${where} expects true/false, got ${describe(v)}`);
  return v;
}
function describe(v: Value): string {
  return Array.isArray(v) ? `a list of ${v.length}` : typeof v === 'boolean' ? String(v) : `the number ${v}`;
}

interface Token {
  type: 'num' | 'id' | 'op' | 'end';
  text: string;
  pos: number;
}

const OPS = ['||', '&&', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '!', '(', ')', ','];
const WORD_OPS: Record<string, string> = { and: '&&', or: '||', not: '!' };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const numMatch = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    if (numMatch) {
      out.push({ type: 'num', text: numMatch[0], pos: i + 1 });
      i += numMatch[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      const w = id[0];
      out.push(
        WORD_OPS[w] ? { type: 'op', text: WORD_OPS[w], pos: i + 1 } : { type: 'id', text: w, pos: i + 1 },
      );
      i += w.length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ConditionSyntaxError(`unexpected character "${c}"`, i + 1);
    out.push({ type: 'op', text: op, pos: i + 1 });
    i += op.length;
  }
  out.push({ type: 'end', text: '', pos: src.length + 1 });
  return out;
}

const BINARY: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 3,
  '<=': 3,
  '>': 3,
  '>=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
};

/** Parse and check a condition: syntax, known names, known functions and their arity. */
export function parseCondition(src: string): Node {
  const tokens = tokenize(src);
  let k = 0;
  const peek = (): Token => tokens[k];
  const next = (): Token => tokens[k++];
  const expect = (text: string): void => {
    const t = next();
    if (t.text !== text || t.type !== 'op')
      throw new ConditionSyntaxError(`expected "${text}" but found ${show(t)}`, t.pos);
  };

  function primary(): Node {
    const t = next();
    if (t.type === 'num') return { kind: 'num', value: Number(t.text) };
    if (t.type === 'op' && (t.text === '!' || t.text === '-'))
      return { kind: 'unary', op: t.text, arg: primary() };
    if (t.type === 'op' && t.text === '(') {
      const e = expr(0);
      expect(')');
      return e;
    }
    if (t.type === 'id') {
      if (t.text === 'true' || t.text === 'false') return { kind: 'bool', value: t.text === 'true' };
      if (t.text === 'NaN') return { kind: 'num', value: NaN };
      if (t.text === 'Inf') return { kind: 'num', value: Infinity };
      if (peek().text === '(' && peek().type === 'op') {
        const f = FUNCTIONS[t.text];
        if (!f)
          throw new ConditionSyntaxError(
            `unknown function "${t.text}" (expected one of ${Object.keys(FUNCTIONS).join(', ')})`,
            t.pos,
          );
        next();
        const args: Node[] = [];
        if (peek().text !== ')') {
          args.push(expr(0));
          while (peek().text === ',' && peek().type === 'op') {
            next();
            args.push(expr(0));
          }
        }
        expect(')');
        if (args.length !== f.arity)
          throw new ConditionSyntaxError(
            `${t.text}() takes ${f.arity} argument(s), got ${args.length}`,
            t.pos,
          );
        return { kind: 'call', fn: t.text, args, pos: t.pos };
      }
      if (!(NAMES as readonly string[]).includes(t.text))
        throw new ConditionSyntaxError(
          `unknown name "${t.text}" (expected one of ${NAMES.join(', ')})`,
          t.pos,
        );
      return { kind: 'name', name: t.text, pos: t.pos };
    }
    throw new ConditionSyntaxError(`expected a value but found ${show(t)}`, t.pos);
  }
  function expr(minPrec: number): Node {
    let left = primary();
    for (;;) {
      const t = peek();
      const prec = t.type === 'op' ? BINARY[t.text] : undefined;
      if (prec === undefined || prec <= minPrec) return left;
      next();
      const right = expr(prec);
      left = { kind: 'binary', op: t.text, left, right, pos: t.pos };
    }
  }
  if (!src.trim()) throw new ConditionSyntaxError('empty condition', 1);
  const node = expr(0);
  const rest = peek();
  if (rest.type !== 'end') throw new ConditionSyntaxError(`unexpected ${show(rest)}`, rest.pos);
  return node;
}

function show(t: Token): string {
  return t.type === 'end' ? 'the end of the condition' : `"${t.text}"`;
}

/** The names a condition reads (to know whether it handles NaN, empty results or needs a baseline). */
export function namesOf(node: Node, into = new Set<string>()): Set<string> {
  if (node.kind === 'name') into.add(node.name);
  else if (node.kind === 'call') {
    into.add(`${node.fn}()`);
    node.args.forEach((a) => namesOf(a, into));
  } else if (node.kind === 'unary') namesOf(node.arg, into);
  else if (node.kind === 'binary') {
    namesOf(node.left, into);
    namesOf(node.right, into);
  }
  return into;
}

function evalNode(node: Node, scope: Scope): Value {
  switch (node.kind) {
    case 'num':
    case 'bool':
      return node.value;
    case 'name': {
      const v = scope[node.name as Name];
      if (v === undefined) throw new ConditionEvalError(`"${node.name}" has no value in this measurement`);
      return v;
    }
    case 'unary': {
      const v = evalNode(node.arg, scope);
      return node.op === '!' ? !bool(v, '!') : -num(v, 'unary -');
    }
    case 'call':
      return FUNCTIONS[node.fn].fn(evalNode(node.args[0], scope));
    case 'binary': {
      if (node.op === '&&' || node.op === '||') {
        const l = bool(evalNode(node.left, scope), node.op);
        if (node.op === '&&' ? !l : l) return l;
        return bool(evalNode(node.right, scope), node.op);
      }
      const l = evalNode(node.left, scope);
      const r = evalNode(node.right, scope);
      if (node.op === '==' || node.op === '!=') {
        if (typeof l !== typeof r || Array.isArray(l) || Array.isArray(r))
          throw new ConditionEvalError(`cannot compare ${describe(l)} with ${describe(r)}`);
        return node.op === '==' ? l === r : l !== r;
      }
      const a = num(l, node.op);
      const b = num(r, node.op);
      switch (node.op) {
        case '<':
          return a < b;
        case '<=':
          return a <= b;
        case '>':
          return a > b;
        case '>=':
          return a >= b;
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return a / b;
        default:
          return a % b;
      }
    }
  }
}

/** Evaluate a parsed condition to true/false; anything else is a ConditionEvalError. */
export function evaluateCondition(node: Node, scope: Scope): boolean {
  const v = evalNode(node, scope);
  if (typeof v !== 'boolean')
    throw new ConditionEvalError(`the condition gives ${describe(v)}, not true/false`);
  return v;
}
