//! The image lab's stage: target, live reconstruction and error map side by side, the PSNR
//! curve, the learned picture rendered finer than the training grid with click-to-zoom, the first
//! layer's synapses, and the picture's credit. A picture dropped anywhere on the stage is uploaded.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::state::{Ui, Zoom};
use super::gallery::SideBySide;
use super::{engine, pictures, plot, raster, url};
use playground_config::data::plane::Region;
use playground_config::experiment::UPLOAD;

/// Decode a chosen or dropped file; a good one becomes the experiment's picture and training
/// starts, a bad one leaves everything as it was and says why.
pub fn use_file(ui: Ui, file: web_sys::File) {
    spawn_local(async move {
        match pictures::read_file(&file).await {
            Ok(bytes) => {
                // The worker decodes it: a bad file is refused there and the current run goes on.
                ui.pending_upload.set(Some((ui.exp().get_untracked(), file.name())));
                for r in ui.runs.get_untracked() {
                    r.exp.update(|e| e.image = UPLOAD.into());
                }
                url::push(&ui.comparison_untracked());
                engine::open_upload(ui, bytes);
            }
            Err(msg) => ui.message.set(Some(format!("{msg}. The current picture and its training are kept."))),
        }
    });
}

/// The picture's credit line, or what the user uploaded.
fn credit(ui: Ui) -> String {
    let name = ui.exp().with(|e| e.image.clone());
    if name == UPLOAD {
        return format!("Your picture: {} (it stays in this tab; a share link cannot carry it).", ui.uploaded.get().unwrap_or_default());
    }
    match pictures::CREDITS.iter().find(|c| c.0 == name) {
        Some((_, who, licence)) => format!("{who} ({licence}; from scikit-image's sample data)."),
        None => "A procedural picture, computed in the page.".into(),
    }
}

#[component]
pub fn ImageStage(ui: Ui) -> impl IntoView {
    let target = NodeRef::<leptos::html::Canvas>::new();
    let recon = NodeRef::<leptos::html::Canvas>::new();
    let error = NodeRef::<leptos::html::Canvas>::new();
    let detail = NodeRef::<leptos::html::Canvas>::new();
    let psnr_plot = NodeRef::<leptos::html::Canvas>::new();
    let curves = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        ui.run().with_drawn(|f| {
            if let Some(p) = &f.picture {
                for (node, rgba) in [(target, p.target.as_slice()), (recon, &p.recon), (error, &p.error)] {
                    if let Some(c) = node.get() {
                        raster::put_rgba(&c, p.width, p.height, rgba);
                    }
                }
            }
            if let (Some(c), Some(cf)) = (curves.get(), &f.curves) {
                raster::draw_curves(&c, cf);
            }
            if let Some(c) = psnr_plot.get() {
                plot::draw_quality(&c, &f.quality_history, "dB");
            }
        })
    });
    Effect::new(move |_| {
        ui.detail.with(|d| {
            if let (Some(c), Some(d)) = (detail.get(), d) {
                raster::put_rgba(&c, d.width, d.height, &d.rgba);
            }
        })
    });
    let set_zoom = move |z: Zoom| engine::zoom(ui, z);
    let zoom_at = move |ev: web_sys::MouseEvent| {
        let Some(c) = detail.get() else { return };
        let (w, h) = (c.client_width().max(1) as f32, c.client_height().max(1) as f32);
        let z = ui.zoom.get_untracked();
        let (cx, cy) = z.region.at(ev.offset_x() as f32 / w, ev.offset_y() as f32 / h);
        let factor = if ev.shift_key() { 0.5 } else { 2.0 };
        set_zoom(Zoom { region: z.region.zoomed(cx, cy, factor), ..z });
    };
    // Pinch on the detail view: spreading two fingers zooms in where they are, pinching zooms out.
    let pinch = StoredValue::new(None::<(f64, f64)>);
    let spread = |ev: &web_sys::TouchEvent| {
        let (a, b) = (ev.touches().get(0)?, ev.touches().get(1)?);
        Some(((a.client_x() - b.client_x()) as f64).hypot((a.client_y() - b.client_y()) as f64))
    };
    let on_touch_move = move |ev: web_sys::TouchEvent| {
        let Some(d) = spread(&ev) else { return };
        ev.prevent_default();
        match pinch.get_value() {
            None => pinch.set_value(Some((d, d))),
            Some((start, _)) => pinch.set_value(Some((start, d))),
        }
    };
    let on_touch_end = move |ev: web_sys::TouchEvent| {
        let Some((start, last)) = pinch.get_value() else { return };
        if ev.touches().length() > 0 {
            return; // a finger is still down
        }
        pinch.set_value(None);
        let (Some(c), Some(t)) = (detail.get(), ev.changed_touches().get(0)) else { return };
        let ratio = last / start.max(1.0);
        if !(ratio > 1.25 || ratio < 0.8) {
            return;
        }
        let rect = c.get_bounding_client_rect();
        let (fx, fy) = (((t.client_x() as f64 - rect.left()) / rect.width().max(1.0)) as f32, ((t.client_y() as f64 - rect.top()) / rect.height().max(1.0)) as f32);
        let z = ui.zoom.get_untracked();
        let (cx, cy) = z.region.at(fx.clamp(0.0, 1.0), fy.clamp(0.0, 1.0));
        set_zoom(Zoom { region: z.region.zoomed(cx, cy, if ratio > 1.0 { 2.0 } else { 0.5 }), ..z });
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        if let Some(file) = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
            use_file(ui, file);
        }
    };
    let compression = move || {
        let params = ui.readout().with(|r| r.parameters);
        ui.frame().with(|f| {
            f.picture.as_ref().map(|p| {
                let raw = p.width * p.height * 3;
                format!(
                    "{params} parameters for {}×{}×3 = {raw} pixel values: {:.1}× {}",
                    p.width,
                    p.height,
                    if params > 0 { raw as f64 / params as f64 } else { 0.0 },
                    if params < raw { "compression" } else { "(more parameters than pixels: no compression at this size)" }
                )
            })
        })
    };
    view! {
        <div class="image-lab" on:dragover=|ev: web_sys::DragEvent| ev.prevent_default() on:drop=on_drop>
            <div class="triptych">
                <figure><canvas node_ref=target data-testid="image-target" class="pixels" aria-label="Target picture"></canvas><figcaption>"Target"</figcaption></figure>
                <figure><canvas node_ref=recon data-testid="image-recon" class="pixels" aria-label="The network's reconstruction"></canvas><figcaption>"Network"</figcaption></figure>
                <figure><canvas node_ref=error data-testid="image-error" class="pixels" aria-label="Error map: black is exact, yellow is 25 % off"></canvas><figcaption>"Error (×4)"</figcaption></figure>
            </div>
            <p class="hint">{compression}</p>
            <SideBySide ui=ui />
            <p class="hint">{move || credit(ui)} " Drop a picture here to fit it."</p>
            <h3>"PSNR"</h3>
            <canvas node_ref=psnr_plot data-testid="psnr-plot" width="760" height="170" aria-label="PSNR in dB against steps"></canvas>
            <h3>"Beyond the training pixels"</h3>
            <div class="zoom-bar">
                <label class="field inline"><span>"Render at"</span>
                    <select data-testid="detail-scale" on:change=move |ev| {
                        let scale = event_target_value(&ev).parse().unwrap_or(2);
                        set_zoom(Zoom { scale, ..ui.zoom.get_untracked() });
                    }>
                        {[1usize, 2, 4].into_iter().map(|s| view! { <option value=s selected=move || ui.zoom.with(|z| z.scale == s)>{format!("{s}× the training resolution")}</option> }).collect_view()}
                    </select>
                </label>
                <button data-testid="zoom-reset" on:click=move |_| set_zoom(Zoom { region: Region::FULL, ..ui.zoom.get_untracked() })>"Whole picture"</button>
                <span class="hint">{move || ui.detail.with(|d| d.as_ref().map(|d| format!("{}×{} px, {:.0}× zoom — click or tap to zoom in, shift-click or pinch to zoom out", d.width, d.height, 2.0 / d.view.region.width())))}</span>
            </div>
            <Show when=move || ui.exp().with(|e| e.input_segments > 0 && e.input_segments * 2 > e.resolution)>
                <p class="hint">"Streaks between pixels? The first layer has about as many segments as the picture has pixels across, so between pixel centres the function is free to do anything. Fewer first-layer segments (say 32) zoom smoothly."</p>
            </Show>
            <canvas node_ref=detail data-testid="image-detail" class="detail" on:click=zoom_at
                on:touchmove=on_touch_move on:touchend=on_touch_end
                aria-label="The learned picture rendered finer than it was trained; click to zoom in"></canvas>
            <h3>"First-layer synapses"</h3>
            <canvas node_ref=curves data-testid="synapses" aria-label="Each first-layer synapse as a small curve over its input; orange ticks are knots or segment ends"></canvas>
        </div>
    }
}
