//! The exact linear pieces of the edited 1-D network (computed in the engine worker from its
//! weights, not by sampling): how many, where they break, their slopes; CSV and JSON downloads.

use leptos::prelude::*;

use super::export::{download, text_blob};
use super::state::Ui;

#[component]
pub fn PiecesPanel(ui: Ui) -> impl IntoView {
    let pieces = move || ui.run().with_drawn(|f| f.pieces.clone());
    let save = move |csv: bool| {
        let Some(Ok(p)) = pieces() else { return };
        let (text, mime, name) = if csv { (p.to_csv(), "text/csv", "pieces.csv") } else { (p.to_json(), "application/json", "pieces.json") };
        if let Err(e) = text_blob(&text, mime).and_then(|b| download(&b, name)) {
            ui.message.set(Some(format!("Export failed: {e}.")));
        }
    };
    view! {
        <section class="pieces" aria-label="Exact pieces">
            {move || match pieces() {
                None => view! { <p class="hint">"Pieces are computed for 1-D fits."</p> }.into_any(),
                Some(Err(why)) => view! { <p class="hint" data-testid="pieces-why">{format!("No exact pieces: {why}.")}</p> }.into_any(),
                Some(Ok(p)) => view! {
                    <p>
                        {move || if ui.runs.with(|r| r.len() > 1) { format!("Run {} is linear on ", ui.index_of(ui.current.get()) + 1) } else { "The network is linear on ".into() }}
                        <strong data-testid="pieces">{p.count()}</strong>
                        {if p.count() == 1 { " piece" } else { " pieces" }} " of x (computed exactly from the weights; breakpoints are the dots on the curve)."
                        " " <button data-testid="pieces-csv" on:click=move |_| save(true)>"CSV"</button>
                        " " <button data-testid="pieces-json" on:click=move |_| save(false)>"JSON"</button>
                    </p>
                    <details>
                        <summary>"Breakpoints and slopes"</summary>
                        <table data-testid="breakpoints" class="breakpoints">
                            <thead><tr><th scope="col">"from x"</th><th scope="col">"to x"</th><th scope="col">"slope"</th><th scope="col">"intercept"</th></tr></thead>
                            <tbody>
                                {p.pieces.iter().take(500).map(|piece| view! {
                                    <tr><td>{format!("{:.4}", piece.from)}</td><td>{format!("{:.4}", piece.to)}</td>
                                        <td>{format!("{:.4}", piece.slope)}</td><td>{format!("{:.4}", piece.intercept)}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        {(p.count() > 500).then(|| view! { <p class="hint">"The first 500 pieces; the downloads hold all."</p> })}
                    </details>
                }.into_any(),
            }}
        </section>
    }
}
