//! The 2-D classification stage: the network's decision heat-map with the points on top, test
//! accuracy against steps, and the first layer's synapses.

use leptos::prelude::*;

use super::state::Ui;
use super::gallery::SideBySide;
use super::{field_points, plot, raster};

#[component]
pub fn FieldStage(ui: Ui) -> impl IntoView {
    let heat = NodeRef::<leptos::html::Canvas>::new();
    let accuracy_plot = NodeRef::<leptos::html::Canvas>::new();
    let curves = NodeRef::<leptos::html::Canvas>::new();
    let show_test = RwSignal::new(true);
    let press = RwSignal::new(None);
    let classes = move || ui.exp().with(|e| e.class_count());
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
                class:drawing=move || ui.exp().with(|e| e.on_field_points())
                on:pointerdown=move |ev| field_points::pointer_down(&ev, press)
                on:pointerup=move |ev| if let Some(c) = heat.get_untracked() { field_points::pointer_up(ui, &c, &ev, press) }
                on:pointercancel=move |_| press.set(None)
                on:contextmenu=move |ev| if let Some(c) = heat.get_untracked() { field_points::context_menu(ui, &c, &ev) }
                aria-label=move || if classes() == 2 {
                    "Decision map: blue where the network says +1, orange where it says −1; dots are the data".to_string()
                } else {
                    format!("Decision map of {} classes: each area in the colour of the class the network picks there, paler where it is less sure; dots are the data", classes())
                }></canvas>
            <p class="legend">
                {move || if classes() == 2 {
                    view! { <span class="sw pos"></span>"class +1 " <span class="sw neg"></span>"class −1 " }.into_any()
                } else {
                    (0..classes()).map(|c| view! { <span class="sw" style:background=raster::class_css(c)></span>{format!("class {c} ")} }).collect_view().into_any()
                }}
                "— white rim: training point, dark rim: test point "
                <label class="check inline"><input type="checkbox" prop:checked=move || show_test.get()
                    on:change=move |ev| show_test.set(event_target_checked(&ev)) />" show test points"</label>
            </p>
            <p class="legend" data-testid="class-accuracy">
                {move || {
                    let readout = ui.run().shown_readout();
                    let held_out = readout.accuracy.is_some();
                    let names = |c: usize| if classes() == 2 { if c == 1 { "+1".to_string() } else { "−1".to_string() } } else { c.to_string() };
                    view! {
                        {if held_out { "Right per class (test): " } else { "Right per class (training): " }}
                        {readout.class_accuracy.iter().enumerate().map(|(c, a)| view! {
                            <span class="sw" style:background=raster::class_css(c)></span>
                            {format!("{} ", names(c))}
                            <strong data-testid=format!("class-accuracy-{c}")>{a.map(|a| format!("{a:.1} %")).unwrap_or_else(|| "–".into())}</strong>
                            " "
                        }).collect_view()}
                    }
                }}
            </p>
            <SideBySide ui=ui />
            <h3>"Test accuracy"</h3>
            <canvas node_ref=accuracy_plot data-testid="accuracy-plot" width="760" height="170" aria-label="Test accuracy in % against steps"></canvas>
            <Show when=move || ui.run().with_drawn(|f| f.field.as_ref().is_some_and(|field| field.test.is_empty()))>
                <p class="hint">"No point is held out (test share 0), so there is no test accuracy to draw: raise the test share to see one."</p>
            </Show>
            <h3>"First-layer synapses"</h3>
            <canvas node_ref=curves data-testid="synapses" aria-label="Each first-layer synapse as a small curve over its input; orange ticks are knots"></canvas>
        </div>
    }
}
