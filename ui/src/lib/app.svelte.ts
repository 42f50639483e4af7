import {
	commands,
	type AppState,
	type KeyMode,
	type Language,
	type LockState,
	type NewRecoveryKey,
	type Organisation,
	type OrganisationInput,
	type PersonId,
	type Purge,
	type TalkId
} from '$lib/bindings';
import { call, type AppError } from '$lib/errors';
import { applyLanguage, currentLanguage, languageFromTag } from '$lib/i18n/i18n.svelte';

export type View =
	| 'overview'
	| 'talks'
	| 'actions'
	| 'competences'
	| 'units'
	| 'people'
	| 'guides'
	/** HR's annual summary: the store's own, and over the units' bundles. */
	| 'hr'
	/** Who changed what, and when. */
	| 'audit'
	/** How long records are kept, and a person's rights. */
	| 'privacy'
	/** Importing people from a file: part of People, reached from its page. */
	| 'import'
	/** The talks where the person using this computer is the employee, a member or the leader. */
	| 'mine';
/** `locked`: the store waits for its passphrase or recovery key (or to be set up under one);
 * `recoveryKey`: a store just set up shows its recovery key, once, before anything else. */
export type Phase = 'loading' | 'failed' | 'locked' | 'recoveryKey' | 'welcome' | 'ready';

/** The whole app's state: startup, organisation, language and which page is shown. */
export class AppModel {
	phase = $state<Phase>('loading');
	organisation = $state<Organisation | null>(null);
	/** How many own talks the store holds: with no organisation, the app is an employee's. */
	ownTalks = $state(0);
	/** Why the app cannot start (the store is unreadable or too new). */
	fatal = $state<AppError | null>(null);
	/** What the locked store needs to open. */
	lock = $state<LockState | null>(null);
	/** A recovery key waits to be seen (the store was set up, or its key changed), until the
	 * person has kept it. The key itself is fetched by the screen that shows it, and dropped
	 * with that screen. */
	recoveryKey = $state<NewRecoveryKey | null>(null);
	/** How the open store's key is kept. */
	keyMode = $state<KeyMode | null>(null);
	/** The open store's key is kept nowhere on this computer: the person is asked where. */
	keyNotKept = $state(false);
	/** What today's start-of-day retention purge removed, until the person has read it. */
	purged = $state<Purge | null>(null);
	/** Why today's start-of-day retention purge could not run. */
	purgeError = $state<AppError | null>(null);
	view = $state<View>('overview');
	/** A failure of something the user did not wait on, e.g. saving the language. */
	notice = $state<AppError | null>(null);
	demoBusy = $state(false);
	/** A person the People page should open when it shows next. */
	pendingPerson = $state<PersonId | null>(null);
	/** Incremented whenever an action asks a page to open its "add" form. */
	addRequest = $state<{ view: View; serial: number } | null>(null);

	get language(): Language {
		return currentLanguage();
	}

	async start(navigatorLanguage?: string | null): Promise<void> {
		this.phase = 'loading';
		applyLanguage(languageFromTag(navigatorLanguage));
		const result = await call(commands.appState());
		if (result.status === 'error') {
			this.fatal = result.error;
			this.phase = 'failed';
			return;
		}
		this.apply(result.data);
	}

	/** Takes the core's state: at start, and after the store was unlocked or set up. */
	apply(state: AppState): void {
		if (state.uiLanguage) applyLanguage(state.uiLanguage);
		if (state.storeError) {
			this.fatal = state.storeError;
			this.phase = 'failed';
			return;
		}
		this.lock = state.lock;
		this.keyMode = state.keyMode;
		this.keyNotKept = state.keyNotKept;
		if (state.lock) {
			this.phase = 'locked';
			return;
		}
		this.organisation = state.organisation;
		this.ownTalks = state.ownTalks;
		if (!state.organisation && state.ownTalks > 0) this.view = 'mine';
		this.recoveryKey = state.recoveryKey;
		this.purged = state.purged;
		this.purgeError = state.purgeError;
		this.phase = state.recoveryKey ? 'recoveryKey' : this.landing();
	}

	private landing(): Phase {
		return this.organisation || this.ownTalks > 0 ? 'ready' : 'welcome';
	}

	/** An invitation was opened on the welcome screen: the app is the person's own side. */
	enterOwnSide(): void {
		this.ownTalks = Math.max(this.ownTalks, 1);
		this.view = 'mine';
		this.phase = 'ready';
	}

	/** The person has written the recovery key down: it is not shown again. */
	async recoveryKeyKept(): Promise<void> {
		const result = await call(commands.recoveryKeySeen());
		if (result.status === 'error') {
			this.notice = result.error;
			return;
		}
		this.recoveryKey = null;
		this.phase = this.landing();
	}

	async setLanguage(language: Language): Promise<void> {
		applyLanguage(language);
		// A locked store cannot keep the choice yet: it is kept inside the store.
		if (this.phase === 'locked') return;
		const result = await call(commands.setUiLanguage(language));
		if (result.status === 'error') this.notice = result.error;
	}

	/** Returns the error to show in the form, or null when the organisation was created. */
	/** Sets the organisation up; `userName`, when given, is saved first, so that every change
	 * from the first one on is recorded under it. */
	async createOrganisation(input: OrganisationInput, userName: string | null = null): Promise<AppError | null> {
		if (userName !== null && userName.trim() !== '') {
			const named = await call(commands.setUserName(userName));
			if (named.status === 'error') return named.error;
		}
		const result = await call(commands.createOrganisation(input));
		if (result.status === 'error') return result.error;
		this.enter(result.data);
		return null;
	}

	async updateOrganisation(input: OrganisationInput): Promise<AppError | null> {
		const result = await call(commands.updateOrganisation(input));
		if (result.status === 'error') return result.error;
		this.organisation = result.data;
		return null;
	}

	async openDemo(): Promise<void> {
		if (this.demoBusy) return;
		this.demoBusy = true;
		try {
			const result = await call(commands.openDemo(this.language));
			if (result.status === 'error') {
				this.notice = result.error;
				return;
			}
			this.enter(result.data);
		} finally {
			this.demoBusy = false;
		}
	}

	navigate(view: View): void {
		this.view = view;
	}

	/** Goes to a page and asks it to open its "add" form right away. */
	navigateToAdd(view: View): void {
		this.addRequest = { view, serial: (this.addRequest?.serial ?? 0) + 1 };
		this.view = view;
	}

	/** Takes an add request meant for `view`, so it is handled once. */
	takeAddRequest(view: View): boolean {
		if (this.addRequest?.view !== view) return false;
		this.addRequest = null;
		return true;
	}

	/** The talk the Talks page shows, or null for the year's cycle. */
	talk = $state<TalkId | null>(null);

	openTalk(id: TalkId | null): void {
		this.talk = id;
		this.view = 'talks';
	}

	openPerson(id: PersonId): void {
		this.pendingPerson = id;
		this.view = 'people';
	}

	dismissNotice(): void {
		this.notice = null;
	}

	dismissPurgeNotice(): void {
		this.purged = null;
		this.purgeError = null;
	}

	private enter(organisation: Organisation): void {
		this.organisation = organisation;
		this.notice = null;
		this.view = 'overview';
		this.phase = 'ready';
	}
}

export const app = new AppModel();
