import { afterEach, describe, expect, it } from 'vitest';
import i18n from '../i18n';
import { ProblemError, type Problem } from '../api/problem';
import { fieldErrorText, hasCode, isStale, problemText } from './problemText';

const problem = (p: Partial<Problem>, retryAfter: number | null = null) =>
  new ProblemError({ type: '/problems/x', title: 'Conflict', status: 409, ...p }, retryAfter);

afterEach(() => i18n.changeLanguage('en'));

describe('hasCode', () => {
  it('matches a specific code only, never a status or a generic kind', () => {
    expect(hasCode(problem({ code: 'team.in_use' }), 'team.in_use', 'role.in_use')).toBe(true);
    expect(hasCode(problem({ code: 'conflict' }), 'team.in_use')).toBe(false);
    expect(hasCode(problem({ code: undefined }), 'team.in_use')).toBe(false);
    expect(hasCode(new Error('team.in_use'), 'team.in_use')).toBe(false);
  });
});

describe('problemText', () => {
  it('uses the SPA text for a code it knows, in the language shown now, with the params', async () => {
    const taken = problem({ code: 'customer.credit_code_taken', detail: 'a live customer already holds this credit code' });
    await i18n.changeLanguage('zh-CN');
    expect(problemText(taken, i18n)).toBe('已有客户使用此统一社会信用代码。');
    await i18n.changeLanguage('en');
    expect(problemText(taken, i18n)).toBe('Another customer already has this unified social credit code.');
    expect(problemText(problem({ status: 429, code: 'rate_limited' }, 30), i18n)).toBe('Too many attempts. Try again in 30 seconds.');
    await i18n.changeLanguage('zh-CN');
    expect(problemText(problem({ code: 'team.in_use', detail: 'the team still has members' }), i18n)).toBe('该团队仍有成员、下级团队或客户，请先转移。');
  });

  it("falls back to the server's detail for a code without a text, or when a value the text needs is missing", async () => {
    await i18n.changeLanguage('zh-CN');
    expect(problemText(problem({ code: 'team.has_members', detail: '该团队仍有 1 名成员' }), i18n)).toBe('该团队仍有 1 名成员');
    expect(problemText(problem({ status: 429, code: 'rate_limited', detail: '请稍后再试' }), i18n)).toBe('请稍后再试');
    expect(problemText(problem({ code: 'conflict', detail: undefined }), i18n)).toBe('Conflict');
    // a stage in use: the server's sentence has the count, ours would need it as a param
    expect(problemText(problem({ code: 'pipeline.stage_in_use', detail: '该阶段中有 3 个销售机会，请改为停用' }), i18n)).toBe('该阶段中有 3 个销售机会，请改为停用');
  });

  it('reads a problem without a code by its status when the status says enough', async () => {
    await i18n.changeLanguage('zh-CN');
    expect(problemText(problem({ status: 412, detail: 'the record is now at version 4' }), i18n)).toBe('该记录在此期间已被他人修改，请重新加载后再试。');
    expect(problemText(problem({ status: 409, detail: '冲突' }), i18n)).toBe('冲突');
  });

  it('calls a failed fetch a connection problem and shows any other error as it is', async () => {
    await i18n.changeLanguage('zh-CN');
    expect(problemText(new TypeError('Failed to fetch'), i18n)).toBe('无法连接服务器。');
    expect(problemText(new Error('boom'), i18n)).toBe('boom');
  });

  it('tells a stale write by its code or its status', () => {
    expect(isStale(problem({ status: 412 }))).toBe(true);
    expect(isStale(problem({ status: 409, code: 'stale_version' }))).toBe(true);
    expect(isStale(problem({ status: 409 }))).toBe(false);
    expect(isStale(new Error('412'))).toBe(false);
  });
});

describe('fieldErrorText', () => {
  it('uses the SPA text for the field code with its params, else the server message, else the code', async () => {
    await i18n.changeLanguage('zh-CN');
    expect(fieldErrorText({ field: 'name', code: 'too_long', message: 'at most 200 characters', params: { max: 200 } }, i18n)).toBe('最多 200 个字符');
    expect(fieldErrorText({ field: 'name', code: 'too_long', message: '最多 200 个字符（服务器）' }, i18n)).toBe('最多 200 个字符（服务器）');
    expect(fieldErrorText({ field: 'x', code: 'mystery', message: '' }, i18n)).toBe('mystery');
    await i18n.changeLanguage('en');
    expect(fieldErrorText({ field: 'phone', code: 'phone', message: 'bad' }, i18n)).toMatch(/^Enter a valid phone number/);
  });
});
