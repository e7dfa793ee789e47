//! The 2-D regression stage: the target surface, the network's and the error between them side by
//! side (the training points on the network's), the test loss against steps in the loss plot
//! below, and the first layer's synapses.

use leptos::prelude::*;

use super::raster;
use super::state::Ui;

#[component]
pub fn SurfaceStage(ui: Ui) -> impl IntoView {
    let target = NodeRef::<leptos::html::Canvas>::new();
    let prediction = NodeRef::<leptos::html::Canvas>::new();
    let error = NodeRef::<leptos::html::Canvas>::new();
    let curves = NodeRef::<leptos::html::Canvas>::new();
    // The colour scale: the target's largest magnitude (so the two surfaces compare).
    let scale = move || {
        ui.run().with_drawn(|f| f.surface.as_ref().map_or(1.0, |s| s.target.iter().filter(|v| v.is_finite()).fold(0.0f32, |m, v| m.max(v.abs())).max(1e-3)))
    };
    Effect::new(move |_| {
        let k = scale();
        ui.run().with_drawn(|f| {
            let Some(s) = &f.surface else { return };
            if let Some(c) = target.get() {
                raster::draw_surface(&c, s.grid, &s.target, k, &[], false);
            }
            if let Some(c) = prediction.get() {
                raster::draw_surface(&c, s.grid, &s.prediction, k, &s.train, false);
            }
            if let Some(c) = error.get() {
                let gap: Vec<f32> = s.prediction.iter().zip(&s.target).map(|(p, t)| (p - t).abs()).collect();
                raster::draw_surface(&c, s.grid, &gap, k * 0.5, &[], true);
            }
            if let (Some(c), Some(cf)) = (curves.get(), &f.curves) {
                raster::draw_curves(&c, cf);
            }
        })
    });
    view! {
        <div class="surface-lab">
            <div class="gallery">
                <figure class="tile">
                    <canvas node_ref=target data-testid="surface-target" width="240" height="240" class="heat"
                        aria-label="The target surface over the square: blue above 0, orange below, white at 0"></canvas>
                    <figcaption>"Target"</figcaption>
                </figure>
                <figure class="tile">
                    <canvas node_ref=prediction data-testid="surface-prediction" width="240" height="240" class="heat"
                        aria-label="The network's surface in the same colours, with the training points"></canvas>
                    <figcaption>"Network (dots: training points)"</figcaption>
                </figure>
                <figure class="tile">
                    <canvas node_ref=error data-testid="surface-error" width="240" height="240" class="heat"
                        aria-label="The error: white where the network matches the target, red where it is off by half the target's range or more"></canvas>
                    <figcaption>"Error |network − target|"</figcaption>
                </figure>
            </div>
            <p class="legend" data-testid="surface-scale">{move || format!("Colours: orange −{0:.2} · white 0 · blue +{0:.2}; error: white 0 · red {1:.2} or more", scale(), scale() * 0.5)}</p>
            <h3>"First-layer synapses"</h3>
            <canvas node_ref=curves data-testid="synapses" aria-label="Each first-layer synapse as a small curve over its input; orange ticks are knots"></canvas>
        </div>
    }
}
