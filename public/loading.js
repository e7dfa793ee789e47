// Trunk's initializer for the page's own wasm (index.html, `data-initializer`): while it arrives,
// the plain-HTML skeleton shows how many bytes have come; if it cannot load, it says so.
export default function () {
  const bar = () => document.getElementById("loading-bar");
  const text = () => document.getElementById("loading-text");
  const mb = (bytes) => (bytes / 1e6).toFixed(1);
  return {
    onProgress({ current, total }) {
      if (bar()) {
        bar().max = total;
        bar().value = current;
      }
      if (text()) text().textContent = `Loading the page: ${mb(current)} of ${mb(total)} MB`;
    },
    onFailure(error) {
      if (text()) text().textContent = `The playground could not load (${error}). Check the connection and reload the page.`;
    },
  };
}
