import { beforeEach, describe, expect, it } from 'vitest';
import type { Error as ApiError } from '$lib/bindings';
import { call, errorCodes, errorMessage, fieldOf, toAppError, type AppError } from './errors';
import { applyLanguage, formatDate, formatNumber } from './i18n/i18n.svelte';

/** One example of every error the core can send. */
const examples: Record<ApiError['code'], ApiError> = {
	empty: { code: 'empty', params: { field: 'givenName' } },
	tooLong: { code: 'tooLong', params: { field: 'unitName', max: 120 } },
	invalid: { code: 'invalid', params: { field: 'email' } },
	duplicateEmployeeNumber: { code: 'duplicateEmployeeNumber', params: { number: 'E-1042' } },
	unitCycle: { code: 'unitCycle' },
	unitNotEmpty: { code: 'unitNotEmpty', params: { people: 3, units: 1 } },
	archived: { code: 'archived', params: { entity: 'unit' } },
	endBeforeStart: { code: 'endBeforeStart' },
	notFound: { code: 'notFound', params: { entity: 'person', id: 42 } },
	organisationExists: { code: 'organisationExists' },
	noOrganisation: { code: 'noOrganisation' },
	storeTooNew: { code: 'storeTooNew', params: { found: 5, supported: 3 } },
	notAStore: { code: 'notAStore' },
	storeCorrupt: { code: 'storeCorrupt', params: {} },
	backupCorrupt: { code: 'backupCorrupt' },
	wrongKey: { code: 'wrongKey' },
	wrongPassphrase: { code: 'wrongPassphrase' },
	recoveryKeyMistyped: { code: 'recoveryKeyMistyped' },
	keyMissing: { code: 'keyMissing' },
	keychainUnavailable: { code: 'keychainUnavailable', params: {} },
	keyFileDamaged: { code: 'keyFileDamaged' },
	passphraseTooShort: { code: 'passphraseTooShort', params: { min: 12 } },
	storePlaintext: { code: 'storePlaintext' },
	stillEmployed: { code: 'stillEmployed' },
	alreadyErased: { code: 'alreadyErased' },
	storeLocked: { code: 'storeLocked' },
	storeSetUp: { code: 'storeSetUp' },
	storeMissing: { code: 'storeMissing' },
	keyNotKept: { code: 'keyNotKept' },
	backupOtherKey: { code: 'backupOtherKey' },
	tryAgainLater: { code: 'tryAgainLater', params: { seconds: 10 } },
	storage: { code: 'storage', params: {} },
	fileSystem: { code: 'fileSystem', params: {} },
	illegalStep: { code: 'illegalStep', params: { from: 'planned', to: 'signed' } },
	reasonRequired: { code: 'reasonRequired' },
	locked: { code: 'locked' },
	cleared: { code: 'cleared' },
	wrongState: { code: 'wrongState', params: { state: 'signed' } },
	groupTooSmall: { code: 'groupTooSmall', params: { min: 2 } },
	notScheduled: { code: 'notScheduled' },
	heldInFuture: { code: 'heldInFuture' },
	undoRefused: { code: 'undoRefused', params: { reason: 'signed' } },
	nothingToUndo: { code: 'nothingToUndo' },
	builtinTemplate: { code: 'builtinTemplate' },
	levelOutOfScale: { code: 'levelOutOfScale', params: { level: 4, max: 3 } },
	negative: { code: 'negative', params: { field: 'plannedCost' } },
	tooLarge: { code: 'tooLarge', params: { field: 'actualHours', max: 10000 } },
	dueBeforeCreated: { code: 'dueBeforeCreated' },
	profileCycle: { code: 'profileCycle' },
	duplicate: { code: 'duplicate', params: { field: 'competenceName' } },
	unknownCompetence: { code: 'unknownCompetence', params: { name: 'Telepati' } },
	scaleInUse: { code: 'scaleInUse', params: { level: 5 } },
	illegalActionStep: { code: 'illegalActionStep', params: { from: 'carriedOver', to: 'done' } },
	importFile: { code: 'importFile', params: { problem: 'headerOnly' } },
	export: { code: 'export', params: { problem: 'noData' } },
	bundle: { code: 'bundle', params: { problem: 'altered' } },
	exchange: { code: 'exchange', params: { problem: 'otherStore' } },
	keyChanged: { code: 'keyChanged', params: { known: 'ABCD EFGH', found: 'WXYZ 2345' } },
	cancelled: { code: 'cancelled' },
	competenceFileInvalid: {
		code: 'competenceFileInvalid',
		params: { problem: 'malformed', at: 'profiles', limit: null }
	},
	templateInvalid: {
		code: 'templateInvalid',
		params: { problem: 'tooLong', at: 'sections[1].questions[0].text', limit: 500 }
	}
};

describe('errorMessage', () => {
	beforeEach(() => applyLanguage('en'));

	it('has an example for every error code', () => {
		expect(Object.keys(examples).sort()).toEqual([...errorCodes].sort());
	});

	it.each(['da', 'sv', 'nb', 'en'] as const)('gives a real sentence for every error in %s', (language) => {
		applyLanguage(language);
		for (const error of Object.values(examples)) {
			const message = errorMessage(error);
			expect(message.length, error.code).toBeGreaterThan(10);
			expect(message, error.code).not.toContain('errors.');
			expect(message, error.code).not.toContain('fields.');
			expect(message, error.code).not.toContain('{');
		}
	});

	it('gives every known code its own sentence, not the one for unexpected errors', () => {
		for (const error of Object.values(examples)) {
			const fallback = errorMessage({ code: 'unexpected', params: { detail: error.code } });
			expect(errorMessage(error), error.code).not.toBe(fallback);
		}
		expect(errorMessage(examples.cancelled)).toBe('Cancelled. Nothing was changed.');
	});

	it('fills in translated field names and params', () => {
		expect(errorMessage(examples.empty)).toBe('Given name must be filled in.');
		expect(errorMessage(examples.tooLong)).toBe('Unit name can be at most 120 characters long.');
		expect(errorMessage(examples.duplicateEmployeeNumber)).toContain('E-1042');
		expect(errorMessage(examples.unitNotEmpty)).toContain('3 employees and 1 sub-unit');
		expect(errorMessage(examples.storeTooNew)).toContain('5');
		expect(errorMessage(examples.notFound)).toContain('The employee');

		expect(errorMessage(examples.illegalStep)).toBe('A talk cannot go from “Planned” to “Signed”.');
		expect(errorMessage(examples.templateInvalid)).toBe(
			'The template file cannot be used: a text is longer than 500 characters (sections[1].questions[0].text).'
		);

		applyLanguage('da');
		expect(errorMessage(examples.empty)).toBe('Fornavn skal udfyldes.');
		expect(errorMessage(examples.unitNotEmpty)).toContain('3 medarbejdere');
		applyLanguage('sv');
		expect(errorMessage(examples.empty)).toBe('Förnamn måste fyllas i.');
		applyLanguage('nb');
		expect(errorMessage(examples.empty)).toBe('Fornavn må fylles ut.');
	});

	it('copes with unit variants that lack params and with unknown codes', () => {
		expect(errorMessage({ code: 'unitCycle', params: {} } as unknown as ApiError)).toContain('sub-units');
		expect(errorMessage({ code: 'somethingNew' } as unknown as ApiError)).toContain('unexpected');
		expect(errorMessage({ code: 'unexpected', params: { detail: 'boom' } })).toContain('boom');
	});
});

describe('fieldOf', () => {
	it('places field errors under their input', () => {
		expect(fieldOf(examples.empty)).toBe('givenName');
		expect(fieldOf(examples.tooLong)).toBe('unitName');
		expect(fieldOf(examples.invalid)).toBe('email');
		expect(fieldOf(examples.duplicateEmployeeNumber)).toBe('employeeNumber');
		expect(fieldOf(examples.endBeforeStart)).toBe('endDate');
	});

	it('returns null for errors that belong to no field', () => {
		for (const code of ['unitCycle', 'unitNotEmpty', 'archived', 'notFound', 'storage'] as const) {
			expect(fieldOf(examples[code])).toBeNull();
		}
		expect(fieldOf(null)).toBeNull();
		expect(fieldOf({ code: 'unexpected', params: { detail: '' } })).toBeNull();
	});
});

describe('call', () => {
	it('passes results through and turns rejections into unexpected errors', async () => {
		expect(await call(Promise.resolve({ status: 'ok', data: 1 }))).toEqual({ status: 'ok', data: 1 });
		const failed = await call<number>(Promise.reject(new Error('IPC closed')));
		expect(failed).toEqual({
			status: 'error',
			error: { code: 'unexpected', params: { detail: 'IPC closed' } }
		});
		const core: AppError = toAppError({ code: 'storage', params: {} });
		expect(core.code).toBe('storage');
	});
});

describe('formatting', () => {
	it('formats dates and numbers per locale', () => {
		applyLanguage('da');
		expect(formatNumber(1234)).toBe('1.234');
		expect(formatDate('2025-02-03')).toBe('03.02.2025');
		applyLanguage('en');
		expect(formatNumber(1234)).toBe('1,234');
		expect(formatDate('2025-02-03')).toBe('2025-02-03');
		expect(formatDate('')).toBe('');
	});
});
