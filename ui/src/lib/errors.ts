import type { Error as ApiError, Entity, Field } from '$lib/bindings';
import { t } from '$lib/i18n/i18n.svelte';

/** What every generated command resolves to (tauri-specta's typedError). */
export type Result<T, E> = { status: 'ok'; data: T } | { status: 'error'; error: E };

/** A failure the core did not describe: a rejected invoke, a bug, a lost IPC channel. */
export type UnexpectedError = { code: 'unexpected'; params: { detail: string } };

/** Every failure the UI can show. */
export type AppError = ApiError | UnexpectedError;

export const fields = [
	'organisationName',
	'currency',
	'unitName',
	'employeeNumber',
	'givenName',
	'familyName',
	'jobTitle',
	'jobFamily',
	'email',
	'startDate',
	'endDate',
	'manager',
	'reason',
	'participants',
	'leader',
	'year',
	'startsAt',
	'duration',
	'place',
	'note',
	'summary',
	'disagreement',
	'typedName',
	'followUp',
	'template',
	'competence',
	'competenceName',
	'description',
	'level',
	'scale',
	'profile',
	'profileName',
	'unit',
	'person',
	'actionTitle',
	'theme',
	'owner',
	'dueDate',
	'plannedCost',
	'plannedHours',
	'actualCost',
	'actualHours',
	'resultNote',
	'mapping',
	'minGroup',
	'passphrase',
	'recoveryKey',
	'userName',
	'retention',
	'backupDays',
	'heldAt'
] as const satisfies readonly Field[];

export const entities = [
	'organisation',
	'unit',
	'person',
	'backup',
	'talk',
	'template',
	'templateVersion',
	'competence',
	'profile',
	'action',
	'ownTalk'
] as const satisfies readonly Entity[];

export const errorCodes = [
	'empty',
	'tooLong',
	'invalid',
	'duplicateEmployeeNumber',
	'unitCycle',
	'unitNotEmpty',
	'archived',
	'endBeforeStart',
	'notFound',
	'organisationExists',
	'noOrganisation',
	'storeTooNew',
	'notAStore',
	'storeCorrupt',
	'backupCorrupt',
	'wrongKey',
	'wrongPassphrase',
	'recoveryKeyMistyped',
	'keyMissing',
	'keychainUnavailable',
	'keyFileDamaged',
	'passphraseTooShort',
	'storePlaintext',
	'storeLocked',
	'storeSetUp',
	'storeMissing',
	'keyNotKept',
	'backupOtherKey',
	'tryAgainLater',
	'storage',
	'fileSystem',
	'stillEmployed',
	'alreadyErased',
	'illegalStep',
	'reasonRequired',
	'templateInvalid',
	'locked',
	'cleared',
	'wrongState',
	'groupTooSmall',
	'notScheduled',
	'heldInFuture',
	'undoRefused',
	'nothingToUndo',
	'builtinTemplate',
	'levelOutOfScale',
	'negative',
	'tooLarge',
	'dueBeforeCreated',
	'profileCycle',
	'duplicate',
	'unknownCompetence',
	'scaleInUse',
	'illegalActionStep',
	'competenceFileInvalid',
	'importFile',
	'cancelled',
	'export',
	'bundle',
	'exchange',
	'keyChanged'
] as const satisfies readonly ApiError['code'][];

// Compile-time guards: adding a Field, Entity or error code to the core breaks `npm run check`
// until it is listed above (and the i18n test then demands its translation).
type Missing<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : Exclude<All, Listed>;
const fieldsComplete: Missing<Field, (typeof fields)[number]> = true;
const entitiesComplete: Missing<Entity, (typeof entities)[number]> = true;
const codesComplete: Missing<ApiError['code'], (typeof errorCodes)[number]> = true;
void fieldsComplete;
void entitiesComplete;
void codesComplete;

export function fieldLabel(field: Field): string {
	return t(`fields.${field}`);
}

function entityName(entity: Entity): string {
	return t(`entities.${entity}`);
}

/** Params are read defensively: the generated bindings may omit or reshape them. */
function paramsOf(error: AppError): Record<string, unknown> {
	const params = (error as { params?: unknown }).params;
	return params && typeof params === 'object' ? (params as Record<string, unknown>) : {};
}

function num(value: unknown): number {
	return typeof value === 'number' ? value : Number(value ?? 0) || 0;
}

function fieldParam(error: AppError): string {
	const field = paramsOf(error).field;
	return typeof field === 'string' ? t(`fields.${field}`) : '';
}

function entityParam(error: AppError): string {
	const entity = paramsOf(error).entity;
	return typeof entity === 'string' ? entityName(entity as Entity) : '';
}

/** The translated, user-facing sentence for an error from the core. */
export function errorMessage(error: AppError): string {
	const p = paramsOf(error);
	switch (error.code) {
		case 'empty':
		case 'invalid':
			return t(`errors.${error.code}`, { field: fieldParam(error) });
		case 'tooLong':
			return t('errors.tooLong', { field: fieldParam(error), max: num(p.max) });
		case 'duplicateEmployeeNumber':
			return t('errors.duplicateEmployeeNumber', { number: String(p.number ?? '') });
		case 'unitNotEmpty':
			return t('errors.unitNotEmpty', { people: num(p.people), units: num(p.units) });
		case 'archived':
			return t('errors.archived', { entity: entityParam(error) });
		case 'notFound':
			return t('errors.notFound', { entity: entityParam(error), id: String(p.id ?? '') });
		case 'storeTooNew':
			return t('errors.storeTooNew', { found: num(p.found), supported: num(p.supported) });
		case 'illegalStep':
			return t('errors.illegalStep', {
				from: t(`talkStates.${String(p.from)}`),
				to: t(`talkStates.${String(p.to)}`)
			});
		case 'templateInvalid':
			return t('errors.templateInvalid', {
				problem: t(`templateProblems.${String(p.problem)}`, { limit: num(p.limit) }),
				at: String(p.at ?? '')
			});
		case 'competenceFileInvalid':
			return t('errors.competenceFileInvalid', {
				problem: t(`templateProblems.${String(p.problem)}`, { limit: num(p.limit) }),
				at: String(p.at ?? '')
			});
		case 'importFile':
			return t('errors.importFile', { problem: t(`importProblems.${String(p.problem)}`) });
		case 'export':
			return t('errors.export', { problem: t(`exportProblems.${String(p.problem)}`) });
		case 'bundle':
			return t('errors.bundle', { problem: t(`bundleProblems.${String(p.problem)}`) });
		case 'exchange':
			return t('errors.exchange', { problem: t(`exchangeProblems.${String(p.problem)}`) });
		case 'keyChanged':
			return t('errors.keyChanged', { known: String(p.known ?? ''), found: String(p.found ?? '') });
		case 'levelOutOfScale':
			return t('errors.levelOutOfScale', { level: num(p.level), max: num(p.max) });
		case 'negative':
		case 'duplicate':
			return t(`errors.${error.code}`, { field: fieldParam(error) });
		case 'tooLarge':
			return t('errors.tooLarge', { field: fieldParam(error), max: num(p.max) });
		case 'passphraseTooShort':
			return t('errors.passphraseTooShort', { min: num(p.min) });
		case 'tryAgainLater':
			return t('errors.tryAgainLater', { seconds: num(p.seconds) });
		case 'unknownCompetence':
			return t('errors.unknownCompetence', { name: String(p.name ?? '') });
		case 'scaleInUse':
			return t('errors.scaleInUse', { level: num(p.level) });
		case 'illegalActionStep':
			return t('errors.illegalActionStep', {
				from: t(`actionStatuses.${String(p.from)}`),
				to: t(`actionStatuses.${String(p.to)}`)
			});
		case 'undoRefused':
			return t('errors.undoRefused', { why: t(`talk.undoRefusal.${String(p.reason)}`) });
		case 'wrongState':
			return t('errors.wrongState', { state: t(`talkStates.${String(p.state)}`) });
		case 'groupTooSmall':
			return t('errors.groupTooSmall', { min: num(p.min) });
		case 'locked':
		case 'cleared':
		case 'notScheduled':
		case 'heldInFuture':
		case 'nothingToUndo':
		case 'builtinTemplate':
		case 'dueBeforeCreated':
		case 'profileCycle':
		case 'unitCycle':
		case 'reasonRequired':
		case 'endBeforeStart':
		case 'organisationExists':
		case 'noOrganisation':
		case 'notAStore':
		case 'storeCorrupt':
		case 'backupCorrupt':
		case 'wrongKey':
		case 'wrongPassphrase':
		case 'recoveryKeyMistyped':
		case 'keyMissing':
		case 'keychainUnavailable':
		case 'keyFileDamaged':
		case 'storePlaintext':
		case 'storeLocked':
		case 'storeSetUp':
		case 'storeMissing':
		case 'keyNotKept':
		case 'backupOtherKey':
		case 'stillEmployed':
		case 'alreadyErased':
		case 'storage':
		case 'fileSystem':
		case 'cancelled':
			return t(`errors.${error.code}`);
		case 'unexpected':
			return t('errors.unexpected', { detail: String(p.detail ?? '') });
		default: {
			const unknownCode = (error as { code?: unknown }).code;
			return t('errors.unexpected', { detail: String(unknownCode ?? '') });
		}
	}
}

/** The form field an error belongs to, so a form can show it under that input. */
export function fieldOf(error: AppError | null | undefined): Field | null {
	if (!error) return null;
	switch (error.code) {
		case 'empty':
		case 'tooLong':
		case 'invalid':
		case 'negative':
		case 'tooLarge':
		case 'duplicate': {
			const field = paramsOf(error).field;
			return typeof field === 'string' && (fields as readonly string[]).includes(field)
				? (field as Field)
				: null;
		}
		case 'duplicateEmployeeNumber':
			return 'employeeNumber';
		case 'endBeforeStart':
			return 'endDate';
		case 'reasonRequired':
			return 'reason';
		case 'groupTooSmall':
			return 'participants';
		case 'dueBeforeCreated':
			return 'dueDate';
		case 'profileCycle':
			return 'profile';
		default:
			return null;
	}
}

function isApiError(value: unknown): value is ApiError {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof (value as { code?: unknown }).code === 'string'
	);
}

/** Turns anything thrown or rejected into an AppError. */
export function toAppError(thrown: unknown): AppError {
	if (isApiError(thrown)) return thrown;
	const detail =
		thrown instanceof globalThis.Error ? thrown.message : typeof thrown === 'string' ? thrown : '';
	return { code: 'unexpected', params: { detail } };
}

/**
 * Awaits a command and never throws: a rejected promise (the command is missing,
 * the IPC bridge is gone) becomes an `unexpected` error like any other.
 */
export async function call<T>(pending: Promise<Result<T, AppError>>): Promise<Result<T, AppError>> {
	try {
		return await pending;
	} catch (thrown) {
		return { status: 'error', error: toAppError(thrown) };
	}
}
