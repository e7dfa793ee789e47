//! Pictures and classification maps of every run side by side, at the same size (shown when
//! several runs are compared; each follows the timeline like the main view).

use leptos::prelude::*;

use super::plot::run_css;
use super::raster;
use super::state::{RunView, Ui};

#[component]
fn Tile(ui: Ui, run: RunView) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        run.with_drawn(|f| {
            let Some(c) = canvas.get() else { return };
            if let Some(p) = &f.picture {
                raster::put_rgba(&c, p.width, p.height, &p.recon);
            } else if let Some(field) = &f.field {
                raster::draw_field(&c, field, false);
            }
        })
    });
    let index = move || ui.index_of(run.id);
    let caption = move || {
        let r = run.readout.get();
        let quality = r.psnr.map(|p| format!("{p:.2} dB")).or(r.accuracy.map(|a| format!("{a:.1} %"))).unwrap_or_default();
        format!("Run {} · step {} · {quality}", index() + 1, run.with_drawn(|f| f.readout.steps))
    };
    view! {
        <figure class="tile">
            <canvas node_ref=canvas width="200" height="200" class="pixels" data-testid="side-by-side"
                aria-label=move || format!("Run {}: what the network draws", index() + 1)></canvas>
            <figcaption><span class="swatch" style:background=move || run_css(index())></span>{caption}</figcaption>
        </figure>
    }
}

#[component]
pub fn SideBySide(ui: Ui) -> impl IntoView {
    view! {
        <Show when=move || ui.runs.with(|r| r.len() > 1)>
            <h3>"Side by side"</h3>
            <div class="gallery">
                <For each=move || ui.runs.get() key=|r| r.id let:run>
                    <Tile ui=ui run=run />
                </For>
            </div>
        </Show>
    }
}
