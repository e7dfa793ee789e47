// Trunk's initializer for the page's own wasm (index.html, `data-initializer`): while it arrives,
// the plain-HTML skeleton shows how many bytes have come; if it cannot load, it says so; if not a
// byte has come after 15 s (seen, rarely, in headless Chromium: the wasm request never answered),
// it says that too, with a way out.
export default function () {
  const bar = () => document.getElementById("loading-bar");
  const text = () => document.getElementById("loading-text");
  const mb = (bytes) => (bytes / 1e6).toFixed(1);
  const stalled = setTimeout(() => {
    if (text()) text().textContent = "Nothing of the page's code has arrived in 15 s. Reload the page if this stays.";
  }, 15000);
  return {
    onProgress({ current, total }) {
      clearTimeout(stalled);
      if (bar()) {
        bar().max = total;
        bar().value = current;
      }
      if (text()) text().textContent = `Loading the page: ${mb(current)} of ${mb(total)} MB`;
    },
    onFailure(error) {
      clearTimeout(stalled);
      if (text()) text().textContent = `The playground could not load (${error}). Check the connection and reload the page.`;
    },
  };
}
