// Starts the Leptos UI. Trunk's default bootstrap is an inline <script type="module">, which a
// strict Content-Security-Policy (script-src 'self') refuses; Trunk.toml's `pattern_script`
// instead emits <script type="module" src="./init.js" data-headroom-init data-js=… data-wasm=…>
// with the hashed file names, and this file (copied verbatim) does what the inline script did.
const tag = document.querySelector('script[data-headroom-init]');
const js = new URL(tag.dataset.js, document.baseURI);
const wasmUrl = new URL(tag.dataset.wasm, document.baseURI);
const bindings = await import(js.href);
const wasm = await bindings.default({ module_or_path: wasmUrl });
// As Trunk's own bootstrap does (import_bindings defaults to true).
window.wasmBindings = bindings;
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));
