import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Person, PersonSummary } from '$lib/bindings';
import { ok } from '$lib/testing';

vi.mock('$lib/bindings', () => ({
	commands: {
		searchPeople: vi.fn(),
		peopleInUnit: vi.fn(),
		getPerson: vi.fn(),
		createPerson: vi.fn(),
		updatePerson: vi.fn(),
		archivePerson: vi.fn(),
		jobFamilies: vi.fn()
	}
}));

const { commands } = await import('$lib/bindings');
const { PersonSearch } = await import('./search.svelte');
const { PeopleState, emptyPersonInput, personToInput } = await import('./people.svelte');

function summary(id: number, givenName: string, unitId = 1): PersonSummary {
	return {
		id,
		employeeNumber: `E${id}`,
		givenName,
		familyName: 'Hansen',
		jobTitle: 'Pædagog',
		unitId,
		unitName: `Unit ${unitId}`,
		active: true
	};
}

const person: Person = {
	id: 9,
	employeeNumber: 'E9',
	givenName: 'Mette',
	familyName: 'Holm',
	jobTitle: 'Sygeplejerske',
	jobFamily: null,
	unitId: 2,
	unitName: 'Hjemmeplejen',
	managerId: null,
	effectiveManagerId: 3,
	effectiveManagerName: 'Ole Berg',
	email: null,
	gender: null,
	startDate: '2020-08-01',
	endDate: null,
	active: true,
	erased: false
};

describe('PersonSearch', () => {
	beforeEach(() => {
		vi.useFakeTimers();
		vi.mocked(commands.searchPeople).mockReset().mockImplementation((query) =>
			ok([summary(1, `${query}a`), summary(2, `${query}b`), summary(3, `${query}c`)])
		);
	});
	afterEach(() => vi.useRealTimers());

	it('debounces typing and searches once with limit 20', async () => {
		const search = new PersonSearch();
		search.setQuery('a');
		search.setQuery('an');
		search.setQuery('ann');
		await vi.advanceTimersByTimeAsync(149);
		expect(commands.searchPeople).not.toHaveBeenCalled();
		await vi.advanceTimersByTimeAsync(1);
		expect(commands.searchPeople).toHaveBeenCalledTimes(1);
		expect(commands.searchPeople).toHaveBeenCalledWith('ann', 20, false);
		expect(search.open).toBe(true);
		expect(search.results).toHaveLength(3);
		expect(search.highlighted).toBe(0);
	});

	it('moves the highlight with wrap-around', async () => {
		const search = new PersonSearch();
		search.setQuery('x');
		await vi.advanceTimersByTimeAsync(150);
		search.move(1);
		expect(search.current?.id).toBe(2);
		search.move(-1);
		search.move(-1);
		expect(search.current?.id).toBe(3);
		search.move(1);
		expect(search.current?.id).toBe(1);
	});

	it('clears without searching when the box is emptied, and drops stale answers', async () => {
		const search = new PersonSearch();
		search.setQuery('old');
		await vi.advanceTimersByTimeAsync(150);
		search.setQuery('   ');
		expect(search.results).toEqual([]);
		expect(search.open).toBe(false);

		let resolveSlow: (value: { status: 'ok'; data: PersonSummary[] }) => void = () => {};
		vi.mocked(commands.searchPeople).mockImplementationOnce(
			() => new Promise((resolve) => (resolveSlow = resolve))
		);
		search.setQuery('slow');
		await vi.advanceTimersByTimeAsync(150);
		search.setQuery('fast');
		await vi.advanceTimersByTimeAsync(150);
		resolveSlow({ status: 'ok', data: [summary(99, 'stale')] });
		await vi.advanceTimersByTimeAsync(0);
		expect(search.results.map((r) => r.givenName)).toEqual(['fasta', 'fastb', 'fastc']);
	});
});

describe('PeopleState', () => {
	beforeEach(() => {
		vi.mocked(commands.peopleInUnit).mockReset().mockImplementation((unitId) => ok([summary(1, 'Anna', unitId)]));
		vi.mocked(commands.getPerson).mockReset().mockImplementation(() => ok(person));
		vi.mocked(commands.jobFamilies).mockReset().mockImplementation(() => ok(['Pædagogik', 'Sundhed']));
	});

	it('lists the chosen unit', async () => {
		const people = new PeopleState();
		await people.selectUnit(4);
		expect(commands.peopleInUnit).toHaveBeenCalledWith(4, false);
		expect(people.people).toHaveLength(1);
		await people.setShowArchived(true);
		expect(commands.peopleInUnit).toHaveBeenLastCalledWith(4, true);
	});

	it('opens a person found by search in their own unit', async () => {
		const people = new PeopleState();
		await people.selectUnit(1);
		await people.open(9);
		expect(people.selected?.id).toBe(9);
		expect(people.unitId).toBe(2);
		expect(commands.peopleInUnit).toHaveBeenLastCalledWith(2, false);
	});

	it('trims input, saves, and shows the saved person', async () => {
		const people = new PeopleState();
		vi.mocked(commands.createPerson).mockResolvedValue({ status: 'ok', data: person });
		const input = { ...emptyPersonInput(2, '2025-01-06'), givenName: '  Mette ', familyName: 'Holm' };
		const error = await people.save(null, input);
		expect(error).toBeNull();
		expect(vi.mocked(commands.createPerson).mock.calls[0]![0]).toMatchObject({
			givenName: 'Mette',
			startDate: '2025-01-06',
			endDate: '',
			unitId: 2
		});
		expect(people.selected).toEqual(person);
		expect(people.jobFamilies).toEqual(['Pædagogik', 'Sundhed']);
	});

	it('returns the field error from the core', async () => {
		const people = new PeopleState();
		vi.mocked(commands.updatePerson).mockResolvedValue({
			status: 'error',
			error: { code: 'duplicateEmployeeNumber', params: { number: 'E1' } }
		});
		const error = await people.save(9, personToInput(person));
		expect(error?.code).toBe('duplicateEmployeeNumber');
		expect(people.selected).toBeNull();
	});

	it('turns a person back into form input', () => {
		expect(personToInput(person)).toMatchObject({ jobFamily: '', email: '', endDate: '', gender: null });
	});
});
