import type { Field } from '$lib/bindings';
import { errorMessage, fieldOf, type AppError } from '$lib/errors';

/**
 * The error of one form submission. An error that belongs to one of the form's
 * fields shows under that input; any other error shows above the buttons.
 */
export class FormErrors {
	error = $state<AppError | null>(null);
	private readonly fields: readonly Field[];

	constructor(fields: readonly Field[]) {
		this.fields = fields;
	}

	get field(): Field | null {
		const field = fieldOf(this.error);
		return field && this.fields.includes(field) ? field : null;
	}

	/** The message to show under `field`'s input, if the error is about it. */
	for(field: Field): string | null {
		return this.error && this.field === field ? errorMessage(this.error) : null;
	}

	/** The message that belongs to no input of this form. */
	get general(): string | null {
		return this.error && !this.field ? errorMessage(this.error) : null;
	}

	set(error: AppError | null): void {
		this.error = error;
	}

	clear(): void {
		this.error = null;
	}
}

/** An option label that shows a unit's place in the tree. */
export function indented(name: string, depth: number): string {
	return `${'\u00a0\u00a0\u00a0'.repeat(Math.max(0, depth))}${name}`;
}

/** Moves focus to the input with this id once the DOM has updated. */
export function focusById(id: string): void {
	queueMicrotask(() => {
		const element = document.getElementById(id);
		if (element instanceof HTMLElement) element.focus();
	});
}
