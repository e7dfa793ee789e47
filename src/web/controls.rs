//! The control panel. Every control produces a new `Experiment` (or an explicit action such as
//! play or reset); nothing here touches the model directly.

use leptos::prelude::*;

use super::{engine, image_lab, runs};
use super::field_points::FieldPointsPanel;
use super::points_panel::CsvImport;
use super::state::Ui;
use playground_config::data::{Formula, Target1d};
use playground_config::data::{field, surface};
use playground_config::experiment::{limits, BackendChoice, Experiment, Kind, NetKind, IMAGE_NAMES, UPLOAD};
use playground_config::spec::{Activation, Loss, Normalization, OptimizerKind};

/// Apply a change to the edited run's experiment (shared settings go to every run); the engine
/// adjusts or rebuilds the runs that changed.
pub fn change(ui: Ui, edit: impl FnOnce(&mut Experiment)) {
    runs::edit(ui, edit);
}

/// Whether a classroom link left this control visible (`hide=…`).
fn shown(ui: Ui, testid: &str) -> bool {
    !ui.exp().with(|e| e.hide.iter().any(|h| h == testid))
}

/// A labelled number input; bad text is ignored and the field shows the last good value again.
fn number(
    ui: Ui,
    label: &'static str,
    testid: &'static str,
    range: (f64, f64),
    step: &'static str,
    get: fn(&Experiment) -> f64,
    set: fn(&mut Experiment, f64),
) -> impl IntoView {
    view! {
        <Show when=move || shown(ui, testid)>
        <label class="field">
            <span>{label}</span>
            <input
                type="number"
                data-testid=testid
                min=range.0
                max=range.1
                step=step
                prop:value=move || ui.exp().with(get).to_string()
                on:change=move |ev| {
                    match event_target_value(&ev).trim().parse::<f64>() {
                        Ok(v) if v.is_finite() => change(ui, |e| set(e, v.clamp(range.0, range.1))),
                        _ => ui.exp().update(|_| {}),
                    }
                }
            />
        </label>
        </Show>
    }
}

/// A labelled `<select>` over (value, label) pairs.
fn choice(
    ui: Ui,
    label: &'static str,
    testid: &'static str,
    options: Vec<(&'static str, &'static str)>,
    get: fn(&Experiment) -> String,
    set: fn(&mut Experiment, &str),
) -> impl IntoView {
    let options = StoredValue::new(options);
    view! {
        <Show when=move || shown(ui, testid)>
        <label class="field">
            <span>{label}</span>
            <select data-testid=testid on:change=move |ev| { let v = event_target_value(&ev); change(ui, |e| set(e, &v)) }>
                {move || options
                    .get_value()
                    .into_iter()
                    .map(|(value, text)| view! { <option value=value selected=move || ui.exp().with(get) == value>{text}</option> })
                    .collect_view()}
            </select>
        </label>
        </Show>
    }
}

fn checkbox(ui: Ui, label: &'static str, testid: &'static str, get: fn(&Experiment) -> bool, set: fn(&mut Experiment, bool)) -> impl IntoView {
    view! {
        <Show when=move || shown(ui, testid)>
        <label class="field check">
            <input type="checkbox" data-testid=testid prop:checked=move || ui.exp().with(get)
                on:change=move |ev| { let v = event_target_checked(&ev); change(ui, |e| set(e, v)) } />
            <span>{label}</span>
        </label>
        </Show>
    }
}

/// The data controls several tabs share, declared once.
fn test_share(ui: Ui) -> impl IntoView {
    number(ui, "Test share", "test", limits::TEST_FRACTION, "0.05", |e| e.test_fraction, |e, v| e.test_fraction = v)
}

fn data_seed(ui: Ui) -> impl IntoView {
    number(ui, "Data seed", "seed", (0.0, 1e15), "1", |e| e.data_seed as f64, |e, v| e.data_seed = v as u64)
}

fn point_count(ui: Ui) -> impl IntoView {
    number(ui, "Points", "points", (limits::POINTS.0 as f64, limits::POINTS.1 as f64), "1", |e| e.points as f64, |e, v| e.points = v as usize)
}

/// TF Playground's noise of the 2-D sets (0 to 0.5).
fn plane_noise(ui: Ui) -> impl IntoView {
    number(ui, "Noise (0 – 0.5)", "noise", (0.0, 0.5), "0.05", |e| e.noise, |e, v| e.noise = v)
}

fn diagonal_inputs(ui: Ui) -> impl IntoView {
    checkbox(ui, "Add diagonal inputs (x±y)/2", "rot", |e| e.rotate, |e, v| e.rotate = v)
}

/// Parse the typed formula (`parse`: of `x` for a 1-D target, of `x` and `y` for a surface); a
/// bad one shows an inline error and keeps the current target.
fn apply_formula(ui: Ui, text: String, parse: fn(&str) -> Result<Formula, String>) {
    match parse(&text) {
        Ok(f) => {
            ui.formula_error.set(None);
            let source = f.source().to_string();
            change(ui, |e| {
                e.dataset = "formula".into();
                e.formula = source;
            });
        }
        Err(msg) => ui.formula_error.set(Some(msg)),
    }
}

/// The typed formula's field (`parse`: of `x`, or of `x` and `y`) and the line saying why a
/// formula was not taken.
fn formula_field(ui: Ui, label: &'static str, parse: fn(&str) -> Result<Formula, String>) -> impl IntoView {
    view! {
        <Show when=move || shown(ui, "formula")>
        <label class="field wide">
            <span>{label}</span>
            <input type="text" data-testid="formula" spellcheck="false" prop:value=move || ui.exp().with(|e| e.formula.clone())
                on:change=move |ev| apply_formula(ui, event_target_value(&ev), parse)
                on:keydown=move |ev| if ev.key() == "Enter" { apply_formula(ui, event_target_value(&ev), parse) } />
        </label>
        </Show>
        <p class="error" role="alert" data-testid="formula-error">{move || ui.formula_error.get()}</p>
    }
}

/// Pick a 1-D target. Your own points start with everything for training (the points are few
/// and each one was placed on purpose); leaving them gives the other targets their usual split.
fn set_target(e: &mut Experiment, name: &str) {
    let default_share = Experiment::default_for(e.kind).test_fraction;
    match (e.dataset == "points", name == "points") {
        (false, true) if e.test_fraction == default_share => e.test_fraction = 0.0,
        (true, false) if e.test_fraction == 0.0 => e.test_fraction = default_share,
        _ => {}
    }
    e.dataset = name.into();
}

#[component]
pub fn Buttons(ui: Ui) -> impl IntoView {
    view! {
        <div class="buttons run-buttons">
            <button data-testid="play" class="primary" on:click=move |_| {
                ui.message.set(None);
                engine::play(ui, !ui.running.get_untracked())
            }>
                {move || if ui.running.get() { "⏸ Pause" } else { "▶ Play" }}
            </button>
            <button data-testid="step" on:click=move |_| engine::step(ui)>"Step"</button>
            <button data-testid="reset" title="Start again from the same initial weights"
                on:click=move |_| { ui.running.set(false); engine::open(ui, false) }>"Reset"</button>
            <button data-testid="new-init" title="Draw new initial weights (changes the init seed)"
                on:click=move |_| change(ui, |e| e.init_seed = e.init_seed.wrapping_add(1))>"New init"</button>
        </div>
    }
}

#[component]
pub fn Controls(ui: Ui) -> impl IntoView {
    let image_label = |n: &str| match n {
        "chelsea" => "Chelsea the cat",
        "astronaut" => "Astronaut",
        "coffee" => "Coffee",
        "rings" => "Rings (procedural)",
        "checkerboard" => "Checkerboard (procedural)",
        "circle" => "Jumping circle (procedural)",
        _ => "?",
    };
    let datasets: Vec<(&'static str, &'static str)> = Target1d::NAMES.iter().map(|n| (*n, Target1d::label_of(n))).collect();
    let is_pwl = move || ui.exp().with(|e| e.net == NetKind::Pwl);
    view! {
        <Show when=move || ui.exp().with(|e| e.kind == Kind::Fit1d)>
            <section class="panel" aria-label="Data">
                <h2>"Data"</h2>
                {choice(ui, "Target", "dataset", datasets.clone(), |e| e.dataset.clone(), set_target)}
                {formula_field(ui, "Formula f(x) on [−1, 1]", Formula::parse)}
                <Show when=move || ui.exp().with(|e| e.on_user_points())
                    fallback=move || view! {
                        {point_count(ui)}
                        {number(ui, "Noise σ", "noise", limits::NOISE, "0.01", |e| e.noise, |e, v| e.noise = v)}
                    }>
                    <CsvImport ui=ui labelled=false />
                </Show>
                {test_share(ui)}
                {data_seed(ui)}
            </section>
        </Show>
        <Show when=move || ui.exp().with(|e| e.kind == Kind::Image)>
            <section class="panel" aria-label="Picture">
                <h2>"Picture"</h2>
                <label class="field">
                    <span>"Picture"</span>
                    <select data-testid="image" on:change=move |ev| { let v = event_target_value(&ev); change(ui, |e| e.image = v) }>
                        {IMAGE_NAMES.iter().map(|n| view! { <option value=*n selected=move || ui.exp().with(|e| e.image == *n)>{image_label(n)}</option> }).collect_view()}
                        <Show when=move || ui.uploaded.with(Option::is_some) || ui.exp().with(|e| e.image == UPLOAD)>
                            <option value=UPLOAD selected=move || ui.exp().with(|e| e.image == UPLOAD)>"Your upload"</option>
                        </Show>
                    </select>
                </label>
                <label class="field wide">
                    <span>"Your own picture (PNG, JPEG, GIF, WebP, BMP)"</span>
                    <input type="file" accept="image/*" data-testid="upload" on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        if let Some(file) = input.files().and_then(|f| f.get(0)) {
                            image_lab::use_file(ui, file);
                        }
                        input.set_value("");
                    } />
                </label>
                {choice(ui, "Training resolution", "res", vec![("32", "32 px"), ("64", "64 px"), ("128", "128 px"), ("256", "256 px")],
                    |e| e.resolution.to_string(), |e, v| if let Ok(r) = v.parse() { e.resolution = r })}
                {diagonal_inputs(ui)}
            </section>
        </Show>
        <Show when=move || ui.exp().with(|e| e.kind == Kind::Field)>
            <section class="panel" aria-label="Data">
                <h2>"Data"</h2>
                {choice(ui, "Data set", "dataset", field::NAMES.iter().map(|n| (*n, field::label_of(n))).collect(), |e| e.dataset.clone(), |e, v| e.dataset = v.into())}
                <Show when=move || ui.exp().with(|e| e.dataset == "blobs")>
                    {number(ui, "Classes (blobs)", "classes-k", (limits::CLASSES.0 as f64, limits::CLASSES.1 as f64), "1", |e| e.classes as f64, |e, v| e.classes = v as usize)}
                </Show>
                <Show when=move || ui.exp().with(|e| e.on_field_points())
                    fallback=move || view! {
                        {point_count(ui)}
                        {plane_noise(ui)}
                    }>
                    <FieldPointsPanel ui=ui />
                    <CsvImport ui=ui labelled=true />
                </Show>
                {test_share(ui)}
                {diagonal_inputs(ui)}
                {data_seed(ui)}
            </section>
        </Show>
        <Show when=move || ui.exp().with(|e| e.kind == Kind::Surface)>
            <section class="panel" aria-label="Data">
                <h2>"Data"</h2>
                {choice(ui, "Surface", "dataset", surface::NAMES.iter().map(|n| (*n, surface::label_of(n))).collect(), |e| e.dataset.clone(), |e, v| e.dataset = v.into())}
                {formula_field(ui, "Formula f(x, y) on [−1, 1]²", Formula::parse_xy)}
                {point_count(ui)}
                {plane_noise(ui)}
                {test_share(ui)}
                {diagonal_inputs(ui)}
                {data_seed(ui)}
            </section>
        </Show>
        <Show when=move || ui.exp().with(|e| e.kind == Kind::Digits)>
            <section class="panel" aria-label="Data">
                <h2>"Data"</h2>
                <p class="hint">"1,797 handwritten digits, 8×8 pixels of ink counts (0 to 16)."</p>
                {test_share(ui)}
                {data_seed(ui)}
            </section>
        </Show>
        <section class="panel" aria-label="Network">
            <h2>"Network"</h2>
            {choice(ui, "Synapses", "net", NetKind::ALL.iter().map(|k| (k.name(), k.label())).collect(),
                |e| e.net.name().into(), |e, v| if let Some(k) = NetKind::from_name(v) { e.net = k })}
            {number(ui, "Hidden layers", "depth", (limits::DEPTH.0 as f64, limits::DEPTH.1 as f64), "1", |e| e.depth as f64, |e, v| e.depth = v as usize)}
            {number(ui, "Width", "width", (limits::WIDTH.0 as f64, limits::WIDTH.1 as f64), "1", |e| e.width as f64, |e, v| e.width = v as usize)}
            <Show when=move || ui.exp().with(|e| e.net == NetKind::Mlp)>
                {choice(ui, "Activation", "act", Activation::ALL.iter().map(|a| (a.name(), a.name())).collect(),
                    |e| e.activation.name().into(), |e, v| if let Some(a) = Activation::from_name(v) { e.activation = a })}
                {checkbox(ui, "Bias", "bias", |e| e.bias, |e, v| e.bias = v)}
            </Show>
            <Show when=is_pwl>
                {number(ui, "Knots per grid", "knots", (limits::KNOTS.0 as f64, limits::KNOTS.1 as f64), "1", |e| e.knots as f64, |e, v| e.knots = v as usize)}
                {checkbox(ui, "Learn knot positions", "learn-knots", |e| e.learn_knots, |e, v| e.learn_knots = v)}
                {checkbox(ui, "A knot grid per synapse (the originals' layout; slower)", "synapse-knots", |e| e.synapse_knots, |e, v| e.synapse_knots = v)}
                {number(ui, "Move a knot every N steps (0 = off)", "move-every", (limits::MOVE_EVERY.0 as f64, limits::MOVE_EVERY.1 as f64), "1", |e| e.move_every as f64, |e, v| e.move_every = v as u64)}
            </Show>
            <Show when=move || is_pwl() && ui.exp().with(|e| e.kind == Kind::Fit1d)>
                {checkbox(ui, "Grow a knot on each loss plateau", "grow", |e| e.grow, |e, v| e.grow = v)}
                {number(ui, "…up to knots", "max-knots", (limits::KNOTS.0 as f64, limits::KNOTS.1 as f64), "1", |e| e.max_knots as f64, |e, v| e.max_knots = v as usize)}
                <button data-testid="insert-knot" class="wide" title="Add a knot where the fit is worst; the function does not change"
                    on:click=move |_| engine::insert_knot(ui)>"Insert knot where the error is largest"</button>
            </Show>
            <Show when=move || ui.exp().with(|e| e.net.uses_n())>
                {number(ui, "Points per segment (n)", "n", (limits::N.0 as f64, limits::N.1 as f64), "1", |e| e.n as f64, |e, v| e.n = v as usize)}
            </Show>
            <Show when=move || ui.exp().with(|e| e.net.has_segments())>
                {number(ui, "Segments", "segments", (limits::SEGMENTS.0 as f64, limits::SEGMENTS.1 as f64), "1", |e| e.segments as f64, |e, v| e.segments = v as usize)}
                <div class="buttons">
                    <button data-testid="h-refine" title="Split every segment in two; the function does not change"
                        on:click=move |_| engine::refine(ui, true)>"h-refine"</button>
                    <button data-testid="p-refine" title="One more point per segment; the function does not change"
                        on:click=move |_| engine::refine(ui, false)>"p-refine"</button>
                </div>
                {number(ui, "First-layer segments (0 = same)", "insegments", (limits::LAYER_SEGMENTS.0 as f64, limits::LAYER_SEGMENTS.1 as f64), "1", |e| e.input_segments as f64, |e, v| e.input_segments = v as usize)}
                {number(ui, "Output-layer segments (0 = same)", "outsegments", (limits::LAYER_SEGMENTS.0 as f64, limits::LAYER_SEGMENTS.1 as f64), "1", |e| e.output_segments as f64, |e, v| e.output_segments = v as usize)}
            </Show>
            <Show when=move || ui.exp().with(|e| e.net.is_lagrange())>
                // The originals' periodic extension: inputs beyond the window are mirrored back.
                {number(ui, "Mirror period (0 = off)", "period", limits::PERIODICITY, "0.5", |e| e.periodicity, |e, v| e.periodicity = v)}
            </Show>
            <Show when=move || ui.exp().with(|e| e.net != NetKind::Mlp)>
                {choice(ui, "Between layers", "norm", vec![("none", "nothing"), ("maxabs", "max-abs normalisation")],
                    |e| if e.normalization == Normalization::MaxAbs { "maxabs".into() } else { "none".into() },
                    |e, v| e.normalization = if v == "maxabs" { Normalization::MaxAbs } else { Normalization::None })}
            </Show>
        </section>
        <section class="panel" aria-label="Training">
            <h2>"Training"</h2>
            {choice(ui, "Optimiser", "optimizer", OptimizerKind::ALL.iter().map(|o| (o.name(), o.name())).collect(),
                |e| e.optimizer.name().into(), |e, v| if let Some(o) = OptimizerKind::from_name(v) { e.optimizer = o })}
            <Show when=move || ui.exp().with(|e| matches!(e.kind, Kind::Field | Kind::Digits))>
                <Show when=move || ui.exp().with(|e| e.kind == Kind::Field && e.class_count() == 2)
                    fallback=|| view! { <p class="hint" data-testid="loss-note">"Loss: softmax cross-entropy, an output per class (the only choice for three or more classes)."</p> }>
                    {choice(ui, "Loss", "loss-kind", Loss::ALL.iter().map(|l| (l.name(), l.label())).collect(),
                        |e| e.loss.name().into(), |e, v| if let Some(l) = Loss::from_name(v) { e.loss = l })}
                </Show>
            </Show>
            {number(ui, "Learning rate", "lr", limits::LR, "any", |e| e.learning_rate, |e, v| e.learning_rate = v)}
            {number(ui, "Batch (0 = all)", "batch", (limits::BATCH.0 as f64, limits::BATCH.1 as f64), "1", |e| e.batch as f64, |e, v| e.batch = v as usize)}
            {choice(ui, "Backend", "backend-choice", vec![("auto", "auto"), ("webgpu", "WebGPU"), ("cpu", "CPU")],
                |e| e.backend.name().into(), |e, v| if let Some(b) = BackendChoice::from_name(v) { e.backend = b })}
        </section>
    }
}
