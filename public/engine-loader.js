// The engine worker's first script (the page starts it: src/web/engine.rs). It loads
// wasm-bindgen's glue and the engine's wasm and tells the page, as plain objects beside the
// engine's own binary reports:
// - `{ loading: bytes }` while the wasm arrives (the page shows it against the size the dist
//   wrote into its `playground-build` meta tag);
// - `{ build: name }` once compiled: the build named in the wasm's `playground-build` section
//   (`cargo xtask dist` writes it; "" in a development build), so the page can tell an engine
//   from another build;
// - `{ failed: why }` when it cannot load;
// - `{ requests: [addresses] }` when the page asks (`{ listRequests: true }`, a test hook): what
//   this worker fetched, which the page's own timeline does not show.
// `?v=<build>` is passed on from the page so an HTTP cache never answers with another build's file.
const query = self.location.search;

// The engine ignores messages that are not its commands; this one is for the loader.
self.addEventListener("message", (event) => {
  if (event.data && event.data.listRequests) {
    self.postMessage({ requests: performance.getEntriesByType("resource").map((entry) => entry.name) });
  }
});
importScripts("./engine-worker.js" + query);

(async () => {
  const response = await fetch("./engine-worker_bg.wasm" + query);
  if (!response.ok || !response.body) throw new Error("the engine's file answered " + response.status);
  const reader = response.body.getReader();
  let received = 0;
  let reported = 0;
  const counted = new ReadableStream({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        self.postMessage({ loading: received });
        controller.close();
        return;
      }
      received += value.byteLength;
      // A message per 256 KB is plenty for a readout.
      if (received - reported >= 262144) {
        reported = received;
        self.postMessage({ loading: received });
      }
      controller.enqueue(value);
    },
  });
  // Compiled here (streaming, while it arrives) so its build section can be read.
  const module = await WebAssembly.compileStreaming(new Response(counted, { headers: { "Content-Type": "application/wasm" } }));
  const sections = WebAssembly.Module.customSections(module, "playground-build");
  self.postMessage({ build: sections.length ? new TextDecoder().decode(sections[sections.length - 1]) : "" });
  await wasm_bindgen({ module_or_path: module });
})().catch((error) => self.postMessage({ failed: String(error) }));
