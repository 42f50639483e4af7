// Samtale runs as a single-page app inside the Tauri webview: no server rendering,
// no prerendering; adapter-static writes an index.html fallback.
export const ssr = false;
export const prerender = false;
