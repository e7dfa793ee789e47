//! The 2-D classification stage: the network's decision heat-map with the points on top, test
//! accuracy against steps, and the first layer's synapses.

use leptos::prelude::*;

use super::state::Ui;
use super::gallery::SideBySide;
use super::{plot, raster};

#[component]
pub fn FieldStage(ui: Ui) -> impl IntoView {
    let heat = NodeRef::<leptos::html::Canvas>::new();
    let accuracy_plot = NodeRef::<leptos::html::Canvas>::new();
    let curves = NodeRef::<leptos::html::Canvas>::new();
    let show_test = RwSignal::new(true);
    Effect::new(move |_| {
        let show = show_test.get();
        ui.run().with_drawn(|f| {
            if let (Some(c), Some(field)) = (heat.get(), &f.field) {
                raster::draw_field(&c, field, show);
            }
            if let (Some(c), Some(cf)) = (curves.get(), &f.curves) {
                raster::draw_curves(&c, cf);
            }
            if let Some(c) = accuracy_plot.get() {
                plot::draw_quality(&c, &f.quality_history, "%");
            }
        })
    });
    view! {
        <div class="field-lab">
            <canvas node_ref=heat data-testid="field" width="420" height="420" class="heat"
                aria-label="Decision map: blue where the network says +1, orange where it says −1; dots are the data"></canvas>
            <p class="legend">
                <span class="sw pos"></span>"class +1 " <span class="sw neg"></span>"class −1 — white rim: training point, dark rim: test point "
                <label class="check inline"><input type="checkbox" prop:checked=move || show_test.get()
                    on:change=move |ev| show_test.set(event_target_checked(&ev)) />" show test points"</label>
            </p>
            <SideBySide ui=ui />
            <h3>"Test accuracy"</h3>
            <canvas node_ref=accuracy_plot data-testid="accuracy-plot" width="760" height="170" aria-label="Test accuracy in % against steps"></canvas>
            <h3>"First-layer synapses"</h3>
            <canvas node_ref=curves data-testid="synapses" aria-label="Each first-layer synapse as a small curve over its input; orange ticks are knots"></canvas>
        </div>
    }
}
