//! Weekly opening hours and special days (holidays, events).
use super::super::fields::{TextField, TimeInput};
use super::super::state::EditorState;
use super::set_data;
use crate::i18n::Text;
use crate::model::site::{DayHours, Hours, HoursException};
use leptos::prelude::*;

#[component]
pub fn HoursEditor() -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    let day_names = [
        Text::Mon,
        Text::Tue,
        Text::Wed,
        Text::Thu,
        Text::Fri,
        Text::Sat,
        Text::Sun,
    ];
    let day = move |i: usize| {
        ed.site
            .with(|s| s.data.hours.as_ref().and_then(|h| h.weekly.get(i).cloned()))
    };
    // A day's problems: its opening or closing time.
    let problem = move |i: usize| ed.problem_under(&format!("data.hours.weekly[{i}]"));
    let set_day = move |i: usize, f: &(dyn Fn(&mut DayHours) + Send + Sync)| {
        set_data(ed, &format!("data.hours.weekly[{i}]"), |d| {
            let h = d.hours.get_or_insert_with(default_hours);
            if let Some(day) = h.weekly.get_mut(i) {
                f(day)
            }
        })
    };
    let rows = day_names
        .into_iter()
        .enumerate()
        .map(|(i, k)| {
            view! {
                <DayRow label=t(k) id=format!("hours-{i}") path=format!("data.hours.weekly[{i}]")
                    day=Signal::derive(move || day(i))
                    set=move |f: DayEdit| set_day(i, &*f)/>
                {move || problem(i).map(|m| view! { <p class="field-error">{m}</p> })}
            }
        })
        .collect_view();
    view! {
        <section class="subpanel" aria-labelledby="hours-title">
            <h3 id="hours-title">{t(Text::BlockOpeningHours)}</h3>
            {rows}
            <SpecialDays/>
        </section>
    }
    .into_any()
}

/// A change to one day's hours.
pub type DayEdit = Box<dyn Fn(&mut DayHours) + Send + Sync>;

/// One day of a week's hours: closed, or open from–to (the shop's, or a staff member's own).
#[component]
pub fn DayRow(
    label: &'static str,
    /// The inputs' ids start with it.
    id: String,
    /// Where the day is in the site (`data.hours.weekly[0]`).
    path: String,
    #[prop(into)] day: Signal<Option<DayHours>>,
    #[prop(into)] set: Callback<DayEdit>,
) -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    let (open_id, close_id) = (format!("{id}-open"), format!("{id}-close"));
    let closed = Signal::derive(move || day.get().is_some_and(|d| d.closed));
    view! {
        <fieldset class="hours-day">
            <legend>{label}</legend>
            <label class="check"><input type="checkbox" prop:checked=closed
                on:change=move |e| { let v = event_target_checked(&e); set.run(Box::new(move |d| d.closed = v)); ed.seal(); }/>
                {t(Text::Closed)}</label>
            <label for=open_id.clone() class="sr-only">{format!("{label} {}", t(Text::Opens))}</label>
            <TimeInput id=open_id path=format!("{path}.open")
                value=Signal::derive(move || day.get().map(|d| d.open).unwrap_or_default())
                before=Signal::derive(move || day.get().map(|d| d.close).unwrap_or_default())
                disabled=closed
                set=move |v: String| set.run(Box::new(move |d| d.open = v.clone()))/>
            <span aria-hidden="true">"–"</span>
            <label for=close_id.clone() class="sr-only">{format!("{label} {}", t(Text::Closes))}</label>
            <TimeInput id=close_id path=format!("{path}.close")
                value=Signal::derive(move || day.get().map(|d| d.close).unwrap_or_default())
                after=Signal::derive(move || day.get().map(|d| d.open).unwrap_or_default())
                disabled=closed
                set=move |v: String| set.run(Box::new(move |d| d.close = v.clone()))/>
        </fieldset>
    }
}

fn default_hours() -> Hours {
    Hours {
        weekly: (0..7)
            .map(|_| DayHours {
                closed: false,
                open: "09:00".into(),
                close: "18:00".into(),
            })
            .collect(),
        exceptions: Vec::new(),
    }
}

/// Days that differ from the week: holidays (closed) or special hours, with a note.
#[component]
fn SpecialDays() -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    let count = move || {
        ed.site
            .with(|s| s.data.hours.as_ref().map_or(0, |h| h.exceptions.len()))
    };
    let day = move |i: usize| {
        ed.site.with(|s| {
            s.data
                .hours
                .as_ref()
                .and_then(|h| h.exceptions.get(i).cloned())
        })
    };
    let set = move |i: usize, f: &str, g: &(dyn Fn(&mut HoursException) + Send + Sync)| {
        set_data(ed, &format!("data.hours.exceptions[{i}].{f}"), |d| {
            if let Some(x) = d.hours.as_mut().and_then(|h| h.exceptions.get_mut(i)) {
                g(x)
            }
        })
    };
    let add = move |_| {
        set_data(ed, "data.hours.exceptions", |d| {
            let h = d.hours.get_or_insert_with(default_hours);
            h.exceptions.push(HoursException {
                date: String::new(),
                closed: true,
                open: "09:00".into(),
                close: "18:00".into(),
                note: String::new(),
            });
        });
        ed.seal();
    };
    view! {
        <h4>{t(Text::SpecialDays)}</h4>
        <For each=move || 0..count() key=|i| *i let:i>
            {
                let date_id = format!("special-{i}-date");
                let open_id = format!("special-{i}-open");
                let close_id = format!("special-{i}-close");
                let label = move || day(i).map(|d| d.date).filter(|d| !d.is_empty()).unwrap_or_else(|| t(Text::NewSpecialDay).into());
                view! {
                    <fieldset class="hours-day special-day">
                        <legend>{label}</legend>
                        <label for=date_id.clone()>{t(Text::FieldDate)}</label>
                        <input id=date_id type="date" data-path=format!("data.hours.exceptions[{i}].date") prop:value=move || day(i).map(|d| d.date).unwrap_or_default()
                            aria-invalid=move || ed.problem(&format!("data.hours.exceptions[{i}].date")).is_some().to_string()
                            on:change=move |e| { let v = event_target_value(&e); set(i, "date", &move |d| d.date = v.clone()); ed.seal(); }/>
                        {move || ed.problem(&format!("data.hours.exceptions[{i}].date")).map(|m| view! { <p class="field-error">{m}</p> })}
                        <label class="check"><input type="checkbox" prop:checked=move || day(i).is_some_and(|d| d.closed)
                            on:change=move |e| { let v = event_target_checked(&e); set(i, "closed", &move |d| d.closed = v); ed.seal(); }/>
                            {t(Text::Closed)}</label>
                        <label for=open_id.clone() class="sr-only">{move || format!("{} {}", label(), t(Text::Opens))}</label>
                        <TimeInput id=open_id path=format!("data.hours.exceptions[{i}].open")
                            value=Signal::derive(move || day(i).map(|d| d.open).unwrap_or_default())
                            before=Signal::derive(move || day(i).map(|d| d.close).unwrap_or_default())
                            disabled=Signal::derive(move || day(i).is_some_and(|d| d.closed))
                            set=move |v: String| set(i, "open", &move |d| d.open = v.clone())/>
                        <span aria-hidden="true">"–"</span>
                        <label for=close_id.clone() class="sr-only">{move || format!("{} {}", label(), t(Text::Closes))}</label>
                        <TimeInput id=close_id path=format!("data.hours.exceptions[{i}].close")
                            value=Signal::derive(move || day(i).map(|d| d.close).unwrap_or_default())
                            after=Signal::derive(move || day(i).map(|d| d.open).unwrap_or_default())
                            disabled=Signal::derive(move || day(i).is_some_and(|d| d.closed))
                            set=move |v: String| set(i, "close", &move |d| d.close = v.clone())/>
                        {move || {
                            let at = |f: &str| ed.problem(&format!("data.hours.exceptions[{i}].{f}"));
                            at("open").or_else(|| at("close")).map(|m| view! { <p class="field-error">{m}</p> })
                        }}
                        <TextField label=t(Text::FieldNote) path=format!("data.hours.exceptions[{i}].note")
                            value=Signal::derive(move || day(i).map(|d| d.note).unwrap_or_default())
                            set=move |v: String| set(i, "note", &|d| d.note = v.clone())/>
                        <button type="button" class="link-button danger"
                            aria-label=move || format!("{}: {}", t(Text::Delete), label())
                            on:click=move |_| {
                                set_data(ed, "data.hours.exceptions", |d| {
                                    if let Some(h) = d.hours.as_mut() { if i < h.exceptions.len() { h.exceptions.remove(i); } }
                                });
                                ed.seal();
                            }>{t(Text::Delete)}</button>
                    </fieldset>
                }
            }
        </For>
        <button type="button" class="btn" on:click=add>{t(Text::AddSpecialDay)}</button>
    }
    .into_any()
}
