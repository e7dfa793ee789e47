//! Your own points: the line under the 1-D plot (how many, how to edit them, clear) and the data
//! panel's CSV paste and upload (of `x,y` for a fit, `x,y,label` for a classification). A table replaces the points only when it has a usable row; bad
//! rows are listed by line, and a refused table changes nothing.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::field_points;
use super::point_editing::{editable, replace_points};
use super::pictures;
use super::state::Ui;
use playground_config::data::csv_table::{self, MAX_BYTES};
use playground_config::data::points::LINK_POINTS;
use playground_config::data::labelled_points::UserLabelled;
use playground_config::data::UserPoints;

/// Under the plot: the number of points and how to edit them, or how to start.
#[component]
pub fn PointsLine(ui: Ui) -> impl IntoView {
    let on_points = move || ui.exp().with(|e| e.on_user_points());
    let count = move || ui.exp().with(|e| e.user_points.len());
    view! {
        <Show when=move || ui.exp().with(editable)>
            <Show when=on_points fallback=|| view! {
                <p class="hint points-line">"Click on the plot to draw your own points instead of this target."</p>
            }>
                <p class="points-line">
                    <strong data-testid="points-count">{count}</strong>
                    {move || if count() == 1 { " point" } else { " points" }}
                    {move || {
                        let (train, test) = ui.frame().with(|f| (f.train.len(), f.test.len()));
                        if test > 0 { format!(" ({train} for training, {test} held out for testing)") } else { String::new() }
                    }}
                    " · click to add, drag to move, right-click or Shift-click to delete "
                    <button data-testid="clear-points" disabled=move || count() == 0
                        on:click=move |_| replace_points(ui, UserPoints::default())>"Clear"</button>
                </p>
            </Show>
        </Show>
    }
}

/// Use a table's text as the points (`labelled`: `x,y,label` rows for a classification), or say
/// why not (keeping the current points).
fn use_table(ui: Ui, bytes: &[u8], labelled: bool, report: RwSignal<String>, error: RwSignal<Option<String>>) {
    let read = if labelled {
        csv_table::read(bytes, &["x", "y", "label"]).and_then(|table| {
            let (points, note) = UserLabelled::from_table(&table)?;
            let fits = points.fit_in_link();
            Ok((format!("{} {}.", table.summary("points"), capital(&note)), fits, Edit::Labelled(points)))
        })
    } else {
        csv_table::read(bytes, &["x", "y"]).map(|table| {
            let points = UserPoints::new(table.rows.iter().map(|r| [r[0] as f32, r[1] as f32]).collect());
            let fits = points.fit_in_link();
            (table.summary("points"), fits, Edit::Plain(points))
        })
    };
    match read {
        Ok((mut text, fits, edit)) => {
            if !fits {
                text.push_str(&format!(" More than {LINK_POINTS} points do not travel in a share link: whoever opens it is asked to load the same file."));
            }
            error.set(None);
            report.set(text);
            match edit {
                Edit::Plain(points) => replace_points(ui, points),
                Edit::Labelled(points) => field_points::replace(ui, points),
            }
        }
        Err(why) => {
            report.set(String::new());
            error.set(Some(format!("Not used: {why}. Your points are unchanged.")));
        }
    }
}

/// The points a table gives.
enum Edit {
    Plain(UserPoints),
    Labelled(UserLabelled),
}

/// A sentence's first letter as a capital.
fn capital(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The data panel's part for your own points: paste or upload a CSV (`labelled`: of a
/// classification, `x,y,label`).
#[component]
pub fn CsvImport(ui: Ui, labelled: bool) -> impl IntoView {
    let columns = if labelled { "x,y,label" } else { "x,y" };
    let pasted = RwSignal::new(String::new());
    let report = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    view! {
        <label class="field wide">
            <span>{format!("Paste {columns} lines (comma, semicolon or tab; a header is optional)")}</span>
            <textarea data-testid="paste-csv" rows="4" spellcheck="false"
                placeholder=if labelled { "x,y,label\n-0.5,0.2,1\n0,0.8,0\n0.5,-0.1,1" } else { "x,y\n-0.5,0.2\n0,0.8\n0.5,-0.1" }
                prop:value=move || pasted.get() on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
        </label>
        <button data-testid="use-csv" class="wide" on:click=move |_| use_table(ui, pasted.get_untracked().as_bytes(), labelled, report, error)>
            "Use the pasted points"
        </button>
        <label class="field wide">
            <span>{format!("Or upload a CSV file ({columns}; up to {} rows)", csv_table::MAX_ROWS)}</span>
            <input type="file" accept=".csv,.tsv,.txt,text/csv,text/plain" data-testid="upload-csv" on:change=move |ev| {
                let input: web_sys::HtmlInputElement = event_target(&ev);
                if let Some(file) = input.files().and_then(|f| f.get(0)) {
                    spawn_local(async move {
                        match pictures::read_at_most(&file, MAX_BYTES, "tables").await {
                            Ok(bytes) => use_table(ui, &bytes, labelled, report, error),
                            Err(why) => {
                                report.set(String::new());
                                error.set(Some(format!("{why}. Your points are unchanged.")));
                            }
                        }
                    });
                }
                input.set_value("");
            } />
        </label>
        <p class="error" role="alert" data-testid="csv-error">{move || error.get()}</p>
        <p class="hint" role="status" data-testid="csv-report">{move || report.get()}</p>
    }
}
