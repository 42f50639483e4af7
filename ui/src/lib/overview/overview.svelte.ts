import { commands, type Overview } from '$lib/bindings';
import { call, type AppError } from '$lib/errors';

export class OverviewState {
	data = $state<Overview | null>(null);
	loading = $state(false);
	error = $state<AppError | null>(null);

	async load(): Promise<void> {
		this.loading = true;
		const result = await call(commands.overview());
		this.loading = false;
		if (result.status === 'error') {
			this.error = result.error;
			return;
		}
		this.error = null;
		this.data = result.data;
	}
}
