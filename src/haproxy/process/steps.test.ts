import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Draft, Model } from '../../model/types.js';
import { planLayout } from '../render/layout.js';
import { commandLine } from '../runtime/commands.js';
import { planUpdate } from '../runtime/plan.js';
import type { Applied, ApplyError } from '../types.js';
import { backend, certificate, deepFreeze, model, route, server, source } from '../../../test/support/haproxy/model.js';
import { OFFLINE_NOTE, RUNTIME_FAILED, planApply, planRestart, planStart, runPlan, type Plan, type Step, type StepResult } from './steps.js';

/** PEM-shaped text: planning only compares it. */
const PEM = '-----BEGIN CERTIFICATE-----\nQQ==\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nQQ==\n-----END PRIVATE KEY-----\n';

function base(patch: (m: Draft<Model>) => void = () => undefined): Model {
  const m = model({
    backends: [backend('ns_web_80', [server('10.0.0.1', 8080), server('10.0.0.2', 8080)])],
    routes: [route('a.example.com', '/', 'prefix', 'ns_web_80')],
    defaultCertificate: certificate('fallback', PEM, []),
  });
  patch(m);
  return deepFreeze(m);
}

const current: Applied = { model: base(), layout: planLayout(undefined, base()) };

/** The plan the driver follows from `current` to the model `patch` makes of it. */
function planFor(patch: (m: Draft<Model>) => void, running = true): Plan {
  const next = base(patch);
  const applied: Applied = { model: next, layout: planLayout(current.layout, next, current.model) };
  return planApply(current, applied, planUpdate(current, applied), running);
}

/** A plan as an outline: one line per step, what runs on a failure indented under it. */
function outline(plan: Plan): string[] {
  const lines = [`${plan.action}${plan.reasons.length ? ` (${plan.reasons.join('; ')})` : ''}:`];
  const walk = (steps: readonly Step[], indent: string) => {
    for (const step of steps) {
      let line = step.op as string;
      if ('commands' in step) line += ` [${step.commands.map(commandLine).join(', ')}]`;
      if (step.op === 'write-files') line += ` of ${step.of}`;
      if (step.op === 'commit' && step.note) line += ` "${step.note}"`;
      lines.push(indent + line);
      if ('fallback' in step) {
        const { action, reason, steps: instead } = step.fallback;
        lines.push(`${indent}  else${action ? ` ${action}` : ''}${reason ? ` "${reason}"` : ''}:`);
        walk(instead, `${indent}    `);
      } else if ('onFailure' in step && step.onFailure) {
        lines.push(`${indent}  on failure:`);
        walk(step.onFailure, `${indent}    `);
      }
    }
  };
  walk(plan.steps, '  ');
  return lines;
}

/** The validate + reload that a failed runtime command falls back to: the commands that went through are undone on a rejection. */
const DIRTY_RELOAD = [
  'render',
  'validate',
  '  on failure:',
  '    clear-server-state', '    reload', '    apply-drains',
  'clear-server-state',
  'write-files of next',
  'reload',
  '  on failure:',
  '    write-files of last-good',
  'commit',
  'apply-drains',
];
const indented = (lines: string[], by: string) => lines.map((l) => by + l);

describe('the plan of each change', () => {
  const cases: [string, () => Plan, string[]][] = [
    ['first start: nothing is live before haproxy -c accepted it', planStart, [
      'start:', '  render', '  validate', '  write-files of next', '  clear-server-state', '  start', '  commit', '  apply-drains',
    ]],
    ['restart after a crash: the last good files are live already', planRestart, [
      'start:', '  clear-server-state', '  start', '  apply-drains',
    ]],
    ['nothing changed: the files are brought up to date, nothing is sent', () => planFor(() => undefined), [
      'none:', '  render', '  write-files of next', '  commit',
    ]],
    ['runtime-only change: commands first, then the files; a failed command falls back to validate + reload', () => planFor((m) => {
      m.backends[0].servers[1].state = 'drain';
    }), [
      'runtime:',
      '  send [set server ns_web_80/s2 state drain]',
      `    else reload "${RUNTIME_FAILED}":`,
      ...indented(DIRTY_RELOAD, '      '),
      '  render', '  write-files of next', '  commit',
    ]],
    ['structural change: servers brought to the next state and saved, so drain survives the reload', () => planFor((m) => {
      m.backends.push(backend('ns_new_80', []));
      m.backends[0].servers[1].state = 'drain';
    }), [
      'reload (backend ns_new_80 added):',
      '  render',
      '  validate',
      '  save-server-state [set server ns_web_80/s2 state drain]',
      '    else:',
      '      clear-server-state', '      write-files of next',
      '      reload', '        on failure:', '          write-files of last-good',
      '      commit', '      apply-drains',
      '  write-files of next',
      '  reload', '    on failure:', '      write-files of last-good',
      '  commit',
    ]],
    ['structural change whose servers cannot change at runtime: no state saved, drains set after the reload', () => planFor((m) => {
      m.backends[0].servers[1] = server('web.example.com', 8080);
    }), [
      'reload (server ns_web_80/s2 has a DNS name (web.example.com) that only a reload resolves):',
      '  render',
      '  validate', '    on failure:', '      clear-server-state', '      reload', '      apply-drains',
      '  clear-server-state', '  write-files of next',
      '  reload', '    on failure:', '      write-files of last-good',
      '  commit', '  apply-drains',
    ]],
    ['HAProxy down with a restart pending: validated files become what the restart loads', () => planFor((m) => {
      m.backends[0].servers.pop();
    }, false), [
      'reload:', '  render', '  validate', '  write-files of next', `  commit "${OFFLINE_NOTE}"`,
    ]],
  ];
  for (const [situation, plan, expected] of cases) {
    test(situation, () => assert.deepEqual(outline(plan()), expected));
  }
});

const REJECTED: ApplyError = {
  code: 'PCL_ERR_HAPROXY_VALIDATION', message: 'haproxy -c rejected the configuration at line 40', source: source('ing-a', 'Ingress'),
};

/**
 * Runs `plan` with steps that do nothing but succeed, send `sent` commands, or fail as `failing`
 * says (the first time each op runs); resolves with the ops in the order they ran and the outcome.
 */
async function trace(plan: Plan, failing: Partial<Record<Step['op'], StepResult>> = {}, sent: Partial<Record<Step['op'], number>> = {}) {
  const ran: string[] = [];
  const failed = new Set<string>();
  const outcome = await runPlan(plan, async (step) => {
    ran.push(step.op === 'write-files' ? `write-files of ${step.of}` : step.op);
    const failure = failing[step.op];
    if (failure && !failed.has(step.op)) {
      failed.add(step.op);
      return failure;
    }
    return { sent: sent[step.op] ?? 0 };
  });
  return { ran, outcome };
}

const drain = (m: Draft<Model>) => { m.backends[0].servers[1].state = 'drain'; };
const structural = (m: Draft<Model>) => { m.backends.push(backend('ns_new_80', [])); drain(m); };
const runtimeFailure: StepResult = { sent: 0, failure: { code: 'PCL_ERR_RUNTIME_API', message: 'No such server.' } };

describe('what runs when a step fails', () => {
  test('a runtime command that fails: validate + reload, and the failure is a reason, not an error', async () => {
    const { ran, outcome } = await trace(planFor(drain), { send: runtimeFailure }, { 'apply-drains': 1 });
    assert.deepEqual(ran, ['send', 'render', 'validate', 'clear-server-state', 'write-files of next', 'reload', 'commit', 'apply-drains']);
    assert.deepEqual(outcome, { action: 'reload', reasons: [`${RUNTIME_FAILED}: No such server.`], commands: 1 });
  });

  test('an invalid configuration: nothing written live, nothing committed, the error names the culprit', async () => {
    const { ran, outcome } = await trace(planFor(structural), { validate: { failure: REJECTED } });
    assert.deepEqual(ran, ['render', 'validate']);
    assert.deepEqual(outcome, { action: 'reload', reasons: ['backend ns_new_80 added'], commands: 0, error: REJECTED });
  });

  test('invalid after runtime commands went through: the last good files are reloaded to undo them', async () => {
    const partly: StepResult = { sent: 2, failure: runtimeFailure.failure };
    const { ran, outcome } = await trace(planFor(drain), { send: partly, validate: { failure: REJECTED } }, { 'apply-drains': 3 });
    assert.deepEqual(ran, ['send', 'render', 'validate', 'clear-server-state', 'reload', 'apply-drains']);
    // What the undoing sent is not reported: the result says what the change itself did.
    assert.deepEqual(outcome, { action: 'reload', reasons: [`${RUNTIME_FAILED}: No such server.`], commands: 2, error: REJECTED });
    // Undoing stops at its own first failure, and the error stays the one that ended the change.
    const reloadFailure: StepResult = { failure: { code: 'PCL_ERR_HAPROXY_RELOAD', message: 'no new worker after reload' } };
    const undone = await trace(planFor(drain), { send: partly, validate: { failure: REJECTED }, reload: reloadFailure });
    assert.deepEqual(undone.ran, ['send', 'render', 'validate', 'clear-server-state', 'reload']);
    assert.deepEqual(undone.outcome.error, REJECTED);
  });

  test('server state saved: no drains after the reload; not saved: cleared, and drains after it', async () => {
    const saved = await trace(planFor(structural), {}, { 'save-server-state': 1 });
    assert.deepEqual(saved.ran, ['render', 'validate', 'save-server-state', 'write-files of next', 'reload', 'commit']);
    assert.deepEqual(saved.outcome, { action: 'reload', reasons: ['backend ns_new_80 added'], commands: 1 });
    const unsaved = await trace(planFor(structural), { 'save-server-state': { sent: 1, failure: runtimeFailure.failure } }, { 'apply-drains': 1 });
    assert.deepEqual(unsaved.ran, ['render', 'validate', 'save-server-state', 'clear-server-state', 'write-files of next', 'reload', 'commit', 'apply-drains']);
    assert.deepEqual(unsaved.outcome, { action: 'reload', reasons: ['backend ns_new_80 added'], commands: 2 });
  });

  test('a failed reload puts the last good files back and commits nothing', async () => {
    const failure: ApplyError = { code: 'PCL_ERR_HAPROXY_RELOAD', message: 'no new worker after reload' };
    const { ran, outcome } = await trace(planFor(structural), { reload: { failure } }, { 'save-server-state': 1 });
    assert.deepEqual(ran, ['render', 'validate', 'save-server-state', 'write-files of next', 'reload', 'write-files of last-good']);
    assert.deepEqual(outcome, { action: 'reload', reasons: ['backend ns_new_80 added'], commands: 1, error: failure });
  });

  test('a model render refuses is refused as a whole, even after its commands were sent', async () => {
    const refused: ApplyError = { code: 'PCL_ERR_HAPROXY_VALIDATION', message: 'refused', source: source('ing-a', 'Ingress') };
    const { ran, outcome } = await trace(planFor(drain), { render: { failure: refused } }, { send: 1 });
    assert.deepEqual(ran, ['send', 'render']);
    assert.deepEqual(outcome, { action: 'none', reasons: [], commands: 0, error: refused });
  });

  test('offline: the note is given only when the files were accepted', async () => {
    assert.deepEqual((await trace(planFor(drain, false))).outcome, { action: 'reload', reasons: [OFFLINE_NOTE], commands: 0 });
    const rejected = await trace(planFor(drain, false), { validate: { failure: REJECTED } });
    assert.deepEqual(rejected, { ran: ['render', 'validate'], outcome: { action: 'reload', reasons: [], commands: 0, error: REJECTED } });
  });

  test('a drain HAProxy refuses is a reason; a start that fails ends the start', async () => {
    const drains = await trace(planStart(), { 'apply-drains': { sent: 0, note: 'drain state not applied: No such server.' } });
    assert.deepEqual(drains.outcome, { action: 'start', reasons: ['drain state not applied: No such server.'], commands: 0 });
    const failure: ApplyError = { code: 'PCL_ERR_HAPROXY_START', message: 'HAProxy did not start' };
    const started = await trace(planStart(), { start: { failure } });
    assert.deepEqual(started.ran, ['render', 'validate', 'write-files of next', 'clear-server-state', 'start']);
    assert.deepEqual(started.outcome.error, failure);
  });
});
