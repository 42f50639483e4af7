import {
	commands,
	type AssessmentInput,
	type AssessmentRow,
	type Category,
	type Competence,
	type CompetenceId,
	type CompetenceInput,
	type EffectiveProfile,
	type Field,
	type HeatMap,
	type ImportSummary,
	type Level,
	type PersonId,
	type Profile,
	type ProfileId,
	type ProfileInput,
	type TalkAssessment,
	type TalkId,
	type UnitId
} from '$lib/bindings';
import { call, errorMessage, fieldOf, type AppError, type Result } from '$lib/errors';
import { units } from '$lib/units/units.svelte';
import { defaultHeatSort, nextHeatSort, sortHeatRows, type HeatSort, type HeatSortKey } from './charts';

export const categories = ['professional', 'personal', 'social', 'leadership'] as const satisfies readonly Category[];

/** The error of one form: the message under a field it names, or above the buttons. */
export class FormError {
	error = $state<AppError | null>(null);

	constructor(private readonly fields: readonly Field[]) {}

	get field(): Field | null {
		const field = fieldOf(this.error);
		return field && this.fields.includes(field) ? field : null;
	}

	for(field: Field): string | null {
		return this.error && this.field === field ? errorMessage(this.error) : null;
	}

	get general(): string | null {
		return this.error && !this.field ? errorMessage(this.error) : null;
	}
}

/** The label of a level on the scale, or a dash when it is not set. */
export function levelLabel(scale: readonly Level[], level: number | null | undefined): string {
	if (level == null) return '–';
	return scale.find((l) => l.level === level)?.label ?? String(level);
}

/**
 * Where a profile would get a competence from if it did not name it itself: the nearest
 * profile it builds on that does, with that profile's level.
 */
export function inheritedFrom(
	profiles: readonly Profile[],
	id: ProfileId,
	competence: CompetenceId
): { profile: Profile; level: number } | null {
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- local to one call, not state
	const seen = new Set<ProfileId>([id]);
	let at = profiles.find((p) => p.id === id)?.parentId ?? null;
	while (at !== null && !seen.has(at)) {
		seen.add(at);
		const parent = profiles.find((p) => p.id === at);
		if (!parent) return null;
		const own = parent.requirements.find((r) => r.competenceId === competence);
		if (own) return { profile: parent, level: own.level };
		at = parent.parentId;
	}
	return null;
}

/** The catalogue, the level scale and the profiles, with every change to them. Changes return
 * the error to show, or null. */
export class CompetenceStore {
	scale = $state<Level[]>([]);
	competences = $state<Competence[]>([]);
	profiles = $state<Profile[]>([]);
	jobFamilies = $state<string[]>([]);
	/** The remembered "my unit", the default of the unit choices. */
	myUnit = $state<UnitId | null>(null);
	error = $state<AppError | null>(null);
	loaded = $state(false);

	/** The active competences per category, in the catalogue's order. */
	byCategory = $derived(
		categories.map((category) => ({
			category,
			competences: this.competences.filter((c) => c.category === category)
		}))
	);

	async load(): Promise<void> {
		const [scale, competences, profiles, families, mine] = await Promise.all([
			call(commands.levelScale()),
			call(commands.competences(false)),
			call(commands.profiles(false)),
			call(commands.jobFamilies()),
			call(commands.myUnit())
		]);
		const failed = [scale, competences, profiles, families].find((r) => r.status === 'error');
		if (failed?.status === 'error') {
			this.error = failed.error;
			return;
		}
		if (scale.status === 'ok') this.scale = scale.data;
		if (competences.status === 'ok') this.competences = competences.data;
		if (profiles.status === 'ok') this.profiles = profiles.data;
		if (families.status === 'ok') this.jobFamilies = families.data;
		if (mine.status === 'ok') this.myUnit = mine.data;
		this.error = null;
		this.loaded = true;
		if (!units.loaded) await units.load();
	}

	/** The unit a unit choice starts at: "my unit", else the first unit of the tree. */
	get defaultUnit(): UnitId | null {
		const active = units.active;
		if (this.myUnit !== null && active.some((u) => u.id === this.myUnit)) return this.myUnit;
		return active[0]?.id ?? null;
	}

	profile(id: ProfileId | null): Profile | undefined {
		return id === null ? undefined : this.profiles.find((p) => p.id === id);
	}

	competence(id: CompetenceId): Competence | undefined {
		return this.competences.find((c) => c.id === id);
	}

	label(level: number | null | undefined): string {
		return levelLabel(this.scale, level);
	}

	async reloadProfiles(): Promise<void> {
		const [profiles, families] = await Promise.all([
			call(commands.profiles(false)),
			call(commands.jobFamilies())
		]);
		if (profiles.status === 'ok') this.profiles = profiles.data;
		if (families.status === 'ok') this.jobFamilies = families.data;
	}

	async reloadCatalogue(): Promise<void> {
		const competences = await call(commands.competences(false));
		if (competences.status === 'ok') this.competences = competences.data;
	}

	async createProfile(input: ProfileInput): Promise<Result<Profile, AppError>> {
		const result = await call(commands.createProfile(input));
		if (result.status === 'ok') await this.reloadProfiles();
		return result;
	}

	async updateProfile(id: ProfileId, input: ProfileInput): Promise<AppError | null> {
		const result = await call(commands.updateProfile(id, input));
		if (result.status === 'error') return result.error;
		// The leader mark may have moved off another profile: reload them all.
		await this.reloadProfiles();
		return null;
	}

	async archiveProfile(id: ProfileId): Promise<AppError | null> {
		const result = await call(commands.archiveProfile(id));
		if (result.status === 'error') return result.error;
		await this.reloadProfiles();
		return null;
	}

	async setRequirement(id: ProfileId, competence: CompetenceId, level: number | null): Promise<AppError | null> {
		const result = await call(commands.setRequirement(id, competence, level));
		if (result.status === 'error') return result.error;
		this.profiles = this.profiles.map((p) => (p.id === id ? result.data : p));
		return null;
	}

	async createCompetence(input: CompetenceInput): Promise<AppError | null> {
		const result = await call(commands.createCompetence(input));
		if (result.status === 'error') return result.error;
		await this.reloadCatalogue();
		return null;
	}

	async updateCompetence(id: CompetenceId, input: CompetenceInput): Promise<AppError | null> {
		const result = await call(commands.updateCompetence(id, input));
		if (result.status === 'error') return result.error;
		await this.reloadCatalogue();
		return null;
	}

	/** Archives a competence; it leaves every profile, so those are read again too. */
	async archiveCompetence(id: CompetenceId): Promise<AppError | null> {
		const result = await call(commands.archiveCompetence(id));
		if (result.status === 'error') return result.error;
		await Promise.all([this.reloadCatalogue(), this.reloadProfiles()]);
		return null;
	}

	async setScale(labels: string[]): Promise<AppError | null> {
		const result = await call(commands.setLevelScale(labels));
		if (result.status === 'error') return result.error;
		this.scale = result.data;
		return null;
	}

	/** Writes the competence file and returns where it went. */
	async exportFile(): Promise<Result<string, AppError>> {
		return call(commands.writeCompetences());
	}

	/** Imports a competence file: all of it, or (with an error) nothing. */
	async importFile(json: string): Promise<Result<ImportSummary, AppError>> {
		const result = await call(commands.importCompetences(json));
		if (result.status === 'ok') await this.load();
		return result;
	}
}

/** A profile as it applies in one unit (or organisation-wide, with no unit). */
export class EffectiveView {
	unit = $state<UnitId | null>(null);
	profile = $state<ProfileId | null>(null);
	data = $state<EffectiveProfile | null>(null);
	error = $state<AppError | null>(null);
	private request = 0;

	async load(): Promise<void> {
		const request = ++this.request;
		if (this.profile === null) {
			this.data = null;
			return;
		}
		const result = await call(commands.effectiveProfile(this.profile, this.unit));
		if (request !== this.request) return;
		if (result.status === 'error') {
			this.error = result.error;
			this.data = null;
			return;
		}
		this.error = null;
		this.data = result.data;
	}

	async show(profile: ProfileId | null, unit: UnitId | null): Promise<void> {
		this.profile = profile;
		this.unit = unit;
		await this.load();
	}

	/** Sets the unit's own level of a competence; null takes the unit's change back. */
	async setUnitLevel(competence: CompetenceId, level: number | null): Promise<AppError | null> {
		if (this.unit === null || this.profile === null) return null;
		const request = ++this.request;
		const result = await call(commands.setUnitRequirement(this.unit, this.profile, competence, level));
		if (result.status === 'error') return result.error;
		if (request === this.request) this.data = result.data;
		return null;
	}
}

/** People × competences of one unit, coloured by gap, sortable by any column. */
export class HeatMapState {
	unit = $state<UnitId | null>(null);
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once, not state
	year = $state(new Date().getFullYear());
	data = $state<HeatMap | null>(null);
	error = $state<AppError | null>(null);
	loading = $state(false);
	sort = $state<HeatSort>(defaultHeatSort);
	private request = 0;

	rows = $derived(this.data ? sortHeatRows(this.data.rows, this.sort) : []);
	/** Nobody in the unit has an assessment up to the year. */
	empty = $derived(!this.data || this.data.columns.length === 0 || this.data.rows.every((r) => r.year === null));

	async load(): Promise<void> {
		if (this.unit === null) return;
		const request = ++this.request;
		this.loading = true;
		const result = await call(commands.heatMap(this.unit, this.year));
		if (request !== this.request) return;
		this.loading = false;
		if (result.status === 'error') {
			this.error = result.error;
			return;
		}
		this.error = null;
		this.data = result.data;
	}

	sortBy(key: HeatSortKey): void {
		this.sort = nextHeatSort(this.sort, key);
	}

	/** The aria-sort of a column header. */
	ariaSort(key: HeatSortKey): 'ascending' | 'descending' | 'none' {
		return this.sort.key === key ? this.sort.direction : 'none';
	}
}

export type LevelKey = 'selfLevel' | 'leaderLevel' | 'agreedLevel' | 'desiredLevel';
export const levelKeys = ['selfLevel', 'leaderLevel', 'agreedLevel', 'desiredLevel'] as const satisfies readonly LevelKey[];

/** The gap the core computes: desired − agreed current, when both are set. */
export function gapOf(agreed: number | null, desired: number | null): number | null {
	return agreed === null || desired === null ? null : desired - agreed;
}

/** One participant's assessment in a talk: each change of a level saves its whole row. */
export class AssessmentState {
	data = $state<TalkAssessment | null>(null);
	error = $state<AppError | null>(null);
	status = $state<'idle' | 'saving' | 'saved' | 'failed'>('idle');

	constructor(
		readonly talk: TalkId,
		readonly person: PersonId
	) {}

	async load(): Promise<void> {
		const result = await call(commands.talkAssessment(this.talk, this.person));
		if (result.status === 'error') {
			this.error = result.error;
			return;
		}
		this.error = null;
		this.data = result.data;
	}

	/** Last year's agreed level per competence, for the radar's faint shape. */
	get previousLevels(): Map<CompetenceId, number | null> {
		// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a fresh value per read
		const map = new Map<CompetenceId, number | null>();
		for (const r of this.data?.previous?.rows ?? []) map.set(r.competence.id, r.agreedLevel);
		return map;
	}

	/** Sets one level of one competence and saves the row. */
	async set(competence: CompetenceId, key: LevelKey, level: number | null): Promise<boolean> {
		const row = this.data?.rows.find((r) => r.competence.id === competence);
		if (!row) return false;
		const before: AssessmentRow = { ...row };
		row[key] = level;
		row.gap = gapOf(row.agreedLevel, row.desiredLevel);
		const input: AssessmentInput = {
			competenceId: competence,
			selfLevel: row.selfLevel,
			leaderLevel: row.leaderLevel,
			agreedLevel: row.agreedLevel,
			desiredLevel: row.desiredLevel
		};
		this.status = 'saving';
		const result = await call(commands.saveAssessment(this.talk, this.person, input));
		if (result.status === 'error') {
			// Show what is stored, not what failed to save.
			Object.assign(row, before);
			this.error = result.error;
			this.status = 'failed';
			return false;
		}
		this.error = null;
		this.status = 'saved';
		return true;
	}
}
