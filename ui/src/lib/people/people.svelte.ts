import {
	commands,
	type Erased,
	type Person,
	type PersonId,
	type PersonInput,
	type PersonSummary,
	type UnitId
} from '$lib/bindings';
import { call, type AppError } from '$lib/errors';
import { todayIso } from '$lib/i18n/i18n.svelte';

/** What the person form edits: PersonInput with every optional text as "". */
export function emptyPersonInput(unitId: UnitId, today: string = todayIso()): PersonInput {
	return {
		employeeNumber: '',
		givenName: '',
		familyName: '',
		jobTitle: '',
		jobFamily: '',
		unitId,
		managerId: null,
		email: '',
		gender: null,
		startDate: today,
		endDate: ''
	};
}

export function personToInput(person: Person): PersonInput {
	return {
		employeeNumber: person.employeeNumber,
		givenName: person.givenName,
		familyName: person.familyName,
		jobTitle: person.jobTitle,
		jobFamily: person.jobFamily ?? '',
		unitId: person.unitId,
		managerId: person.managerId,
		email: person.email ?? '',
		gender: person.gender,
		startDate: person.startDate,
		endDate: person.endDate ?? ''
	};
}

/** Trims the free-text fields before they go to the core. */
export function normaliseInput(input: PersonInput): PersonInput {
	return {
		...input,
		employeeNumber: input.employeeNumber.trim(),
		givenName: input.givenName.trim(),
		familyName: input.familyName.trim(),
		jobTitle: input.jobTitle.trim(),
		jobFamily: input.jobFamily.trim(),
		email: input.email.trim()
	};
}

/** A person chosen in a picker, e.g. a unit's manager. */
export type Picked = { id: PersonId; name: string } | null;

export function fullName(person: { givenName: string; familyName: string }): string {
	return `${person.givenName} ${person.familyName}`.trim();
}

/** The People page: the chosen unit's list, the open person and the actions on people. */
export class PeopleState {
	unitId = $state<UnitId | null>(null);
	people = $state<PersonSummary[]>([]);
	showArchived = $state(false);
	loading = $state(false);
	error = $state<AppError | null>(null);
	/** The person shown in the detail panel. */
	selected = $state<Person | null>(null);
	jobFamilies = $state<string[]>([]);

	private listRequest = 0;
	private openRequest = 0;

	async selectUnit(unitId: UnitId | null): Promise<void> {
		if (this.unitId !== unitId) {
			this.unitId = unitId;
			if (this.selected && this.selected.unitId !== unitId) this.selected = null;
		}
		await this.loadPeople();
	}

	async setShowArchived(show: boolean): Promise<void> {
		this.showArchived = show;
		await this.loadPeople();
	}

	async loadPeople(): Promise<void> {
		const request = ++this.listRequest;
		if (this.unitId == null) {
			this.people = [];
			this.loading = false;
			return;
		}
		this.loading = true;
		const result = await call(commands.peopleInUnit(this.unitId, this.showArchived));
		if (request !== this.listRequest) return;
		this.loading = false;
		if (result.status === 'error') {
			this.error = result.error;
			this.people = [];
			return;
		}
		this.error = null;
		this.people = result.data;
	}

	async loadJobFamilies(): Promise<void> {
		const result = await call(commands.jobFamilies());
		if (result.status === 'ok') this.jobFamilies = result.data;
	}

	/** Opens a person in the detail panel and shows the list of their unit. */
	async open(id: PersonId): Promise<void> {
		const request = ++this.openRequest;
		const result = await call(commands.getPerson(id));
		if (request !== this.openRequest) return;
		if (result.status === 'error') {
			this.error = result.error;
			return;
		}
		const person = result.data;
		if (!person.active && !this.showArchived) this.showArchived = true;
		this.selected = person;
		if (this.unitId !== person.unitId) {
			this.unitId = person.unitId;
			await this.loadPeople();
		} else if (!person.active) {
			await this.loadPeople();
		}
	}

	close(): void {
		this.openRequest++;
		this.selected = null;
	}

	/** Creates (id null) or updates a person. Returns the error for the form, or null. */
	async save(id: PersonId | null, input: PersonInput): Promise<AppError | null> {
		const clean = normaliseInput(input);
		const result = await call(
			id == null ? commands.createPerson(clean) : commands.updatePerson(id, clean)
		);
		if (result.status === 'error') return result.error;
		this.openRequest++;
		this.selected = result.data;
		this.unitId = result.data.unitId;
		await Promise.all([this.loadPeople(), this.loadJobFamilies()]);
		return null;
	}

	async archive(id: PersonId): Promise<AppError | null> {
		const result = await call(commands.archivePerson(id));
		if (result.status === 'error') return result.error;
		this.selected = this.showArchived ? result.data : null;
		await this.loadPeople();
		return null;
	}

	/** What the last erasure did, for the erased person's panel: the backups that held them. */
	erasedNow = $state<{ id: PersonId; erased: Erased } | null>(null);

	/** Erases a person who has left; the detail panel then shows the anonymous record. */
	async erase(id: PersonId): Promise<AppError | null> {
		const result = await call(commands.erasePerson(id));
		if (result.status === 'error') return result.error;
		this.erasedNow = { id, erased: result.data };
		const person = await call(commands.getPerson(id));
		this.selected = person.status === 'ok' ? person.data : null;
		await this.loadPeople();
		return null;
	}
}

/** Shared so the chosen unit and open person survive moving between pages. */
export const people = new PeopleState();
