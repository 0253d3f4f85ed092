//! Services (name, duration, price, who offers them) and the staff who offer them, edited
//! together: removing a staff member or a service keeps the other in step.
use super::super::fields::{ImageField, NumberField, PriceField, TextField};
use super::super::state::EditorState;
use super::hours::{DayEdit, DayRow};
use super::{fresh_id, set_data};
use crate::i18n::Text;
use crate::model::edit::{Edit, Part};
use crate::model::site::BlockKind;
use crate::model::site::{DayHours, Service, Staff};
use leptos::prelude::*;

/// The services a service list or booking button shows: name, duration, price.
#[component]
pub fn ServicesEditor() -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    let count = move || ed.site.with(|s| s.data.services.len());
    let service = move |i: usize| ed.site.with(|s| s.data.services.get(i).cloned());
    // Who can be ticked; the checkboxes are rebuilt only when the staff changes.
    let staff = Memo::new(move |_| {
        ed.site.with(|s| {
            s.data
                .staff
                .iter()
                .map(|p| (p.id.clone(), p.name.clone()))
                .collect::<Vec<_>>()
        })
    });
    let set = move |i: usize, field: &str, f: &dyn Fn(&mut crate::model::site::Service)| {
        if let Some(mut sv) = ed.site.with_untracked(|s| s.data.services.get(i).cloned()) {
            f(&mut sv);
            ed.edit(
                Edit::Set(Part::Service {
                    index: i,
                    service: sv,
                }),
                Some(&format!("data.services[{i}].{field}")),
            );
        }
    };
    view! {
        <section class="subpanel" aria-labelledby="services-title">
            <h3 id="services-title">{t(Text::Services)}</h3>
            <For each=move || 0..count() key=|i| *i let:i>
                <fieldset class="item-card">
                    <legend>{move || service(i).map(|s| s.name).filter(|n| !n.trim().is_empty()).unwrap_or_else(|| t(Text::Unnamed).into())}</legend>
                    <TextField label=t(Text::FieldName) path=format!("data.services[{i}].name")
                        value=Signal::derive(move || service(i).map(|s| s.name).unwrap_or_default())
                        set=move |v: String| set(i, "name", &|s| s.name = v.clone())/>
                    <NumberField label=t(Text::FieldDuration) path=format!("data.services[{i}].duration_min") min=5 max=600
                        value=Signal::derive(move || service(i).map(|s| s.duration_min as i64).unwrap_or_default())
                        set=move |v: i64| set(i, "duration_min", &|s| s.duration_min = v as u16)/>
                    <NumberField label=t(Text::FieldBuffer) path=format!("data.services[{i}].buffer_min") min=0 max=240
                        value=Signal::derive(move || service(i).map(|s| s.buffer_min as i64).unwrap_or_default())
                        set=move |v: i64| set(i, "buffer_min", &|s| s.buffer_min = v as u16)/>
                    <PriceField label=t(Text::FieldPrice) path=format!("data.services[{i}].price")
                        fen=Signal::derive(move || service(i).map(|s| s.price).unwrap_or_default())
                        set=move |v: u64| set(i, "price", &|s| s.price = v)/>
                    <TextField label=t(Text::FieldDescription) path=format!("data.services[{i}].description") long=true
                        value=Signal::derive(move || service(i).map(|s| s.description).unwrap_or_default())
                        set=move |v: String| set(i, "description", &|s| s.description = v.clone())/>
                    {move || {
                        let staff = staff.get();
                        (!staff.is_empty()).then(|| view! {
                            <fieldset class="checks">
                                <legend>{t(Text::OfferedBy)}</legend>
                                {staff.into_iter().map(|(id, name)| {
                                    let id2 = id.clone();
                                    view! {
                                        <label class="check">
                                            <input type="checkbox"
                                                prop:checked=move || service(i).is_some_and(|s| s.staff.contains(&id))
                                                on:change=move |e| {
                                                    let on = event_target_checked(&e);
                                                    let who = id2.clone();
                                                    set(i, "staff", &move |s| {
                                                        s.staff.retain(|w| *w != who);
                                                        if on { s.staff.push(who.clone()) }
                                                    });
                                                    ed.seal();
                                                }/>
                                            {name}
                                        </label>
                                    }
                                }).collect_view()}
                            </fieldset>
                        })
                    }}
                    <button type="button" class="link-button danger"
                        on:click=move |_| remove_service(ed, i)>{t(Text::DeleteService)}</button>
                </fieldset>
            </For>
            <button type="button" class="btn" on:click=move |_| add_service(ed)>{t(Text::AddService)}</button>
        </section>
    }
    .into_any()
}

/// The people who give the services; a service lists who offers it.
#[component]
pub fn StaffEditor() -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    let count = move || ed.site.with(|s| s.data.staff.len());
    let person = move |i: usize| ed.site.with(|s| s.data.staff.get(i).cloned());
    let set = move |i: usize, f: &str, g: &(dyn Fn(&mut Staff) + Send + Sync)| {
        set_data(ed, &format!("data.staff[{i}].{f}"), |d| {
            if let Some(p) = d.staff.get_mut(i) {
                g(p)
            }
        })
    };
    let add = move |_| {
        let name = t(Text::NewStaff).to_string();
        set_data(ed, "data.staff", |d| {
            let id = fresh_id("staff", "staff", |id| d.staff.iter().any(|p| p.id == id));
            d.staff.push(Staff {
                id,
                name,
                title: String::new(),
                photo: None,
                hours: None,
            });
        });
        ed.seal();
    };
    view! {
        <section class="subpanel" aria-labelledby="staff-title">
            <h3 id="staff-title">{t(Text::Staff)}</h3>
            <For each=move || 0..count() key=|i| *i let:i>
                <fieldset class="item-card">
                    <legend>{move || person(i).map(|p| p.name).filter(|n| !n.trim().is_empty()).unwrap_or_else(|| t(Text::Unnamed).into())}</legend>
                    <TextField label=t(Text::FieldName) path=format!("data.staff[{i}].name")
                        value=Signal::derive(move || person(i).map(|p| p.name).unwrap_or_default())
                        set=move |v: String| set(i, "name", &|p| p.name = v.clone())/>
                    <TextField label=t(Text::FieldJobTitle) path=format!("data.staff[{i}].title")
                        value=Signal::derive(move || person(i).map(|p| p.title).unwrap_or_default())
                        set=move |v: String| set(i, "title", &|p| p.title = v.clone())/>
                    <ImageField label=t(Text::FieldPhoto) path=format!("data.staff[{i}].photo")
                        value=Signal::derive(move || person(i).and_then(|p| p.photo).unwrap_or_default())
                        set=move |v: String| set(i, "photo", &|p| p.photo = (!v.is_empty()).then(|| v.clone()))/>
                    <StaffHours i/>
                    <button type="button" class="link-button danger"
                        aria-label=move || format!("{}: {}", t(Text::Delete), person(i).map(|p| p.name).unwrap_or_default())
                        on:click=move |_| {
                            set_data(ed, "data.staff", |d| {
                                if i < d.staff.len() {
                                    let id = d.staff.remove(i).id;
                                    for s in &mut d.services { s.staff.retain(|w| *w != id); }
                                }
                            });
                            ed.seal();
                        }>{t(Text::Delete)}</button>
                </fieldset>
            </For>
            <button type="button" class="btn" on:click=add>{t(Text::AddStaff)}</button>
        </section>
    }
    .into_any()
}

/// A staff member's own working days and hours (Monday first), when they differ from the
/// shop's: ticking the box starts from the shop's week.
#[component]
fn StaffHours(i: usize) -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    let hours = move || {
        ed.site
            .with(|s| s.data.staff.get(i).and_then(|p| p.hours.clone()))
    };
    let day = move |d: usize| hours().and_then(|h| h.get(d).cloned());
    let set_day = move |d: usize, g: &(dyn Fn(&mut DayHours) + Send + Sync)| {
        set_data(ed, &format!("data.staff[{i}].hours[{d}]"), |data| {
            if let Some(day) = data
                .staff
                .get_mut(i)
                .and_then(|p| p.hours.as_mut())
                .and_then(|h| h.get_mut(d))
            {
                g(day)
            }
        })
    };
    let toggle = move |e: leptos::ev::Event| {
        let on = event_target_checked(&e);
        set_data(ed, &format!("data.staff[{i}].hours"), |data| {
            let week = data.hours.as_ref().map(|h| h.weekly.clone());
            if let Some(p) = data.staff.get_mut(i) {
                p.hours = on.then(|| {
                    week.unwrap_or_else(|| {
                        vec![
                            DayHours {
                                closed: false,
                                open: "09:00".into(),
                                close: "18:00".into(),
                            };
                            7
                        ]
                    })
                });
            }
        });
        ed.seal();
    };
    let names = [
        Text::Mon,
        Text::Tue,
        Text::Wed,
        Text::Thu,
        Text::Fri,
        Text::Sat,
        Text::Sun,
    ];
    let problem = move || ed.problem_under(&format!("data.staff[{i}].hours"));
    view! {
        <div class="staff-hours">
            <label class="check"><input type="checkbox" prop:checked=move || hours().is_some() on:change=toggle/>
                {t(Text::OwnHours)}</label>
            {move || hours().is_some().then(|| {
                let rows = names.into_iter().enumerate().map(|(d, k)| view! {
                    <DayRow label=t(k) id=format!("staff-{i}-hours-{d}") path=format!("data.staff[{i}].hours[{d}]")
                        day=Signal::derive(move || day(d))
                        set=move |f: DayEdit| set_day(d, &*f)/>
                }).collect_view();
                view! { <p class="hint">{t(Text::OwnHoursHint)}</p>{rows} }
            })}
            {move || problem().map(|m| view! { <p class="field-error">{m}</p> })}
        </div>
    }
}

/// Adds a service, with the duration and price of the last one as a start.
pub fn add_service(ed: EditorState) {
    let name = ed.t(Text::NewService).to_string();
    set_data(ed, "data.services", |d| {
        let id = fresh_id("service", "service", |id| {
            d.services.iter().any(|s| s.id == id)
        });
        let (duration_min, price) = d
            .services
            .last()
            .map_or((60, 0), |s| (s.duration_min, s.price));
        d.services.push(Service {
            id,
            name,
            description: String::new(),
            duration_min,
            buffer_min: 0,
            price,
            image: None,
            staff: Vec::new(),
        });
    });
    ed.seal();
}

/// Deletes service `i` in one undo step; booking buttons that named it fall back to letting
/// the customer choose.
pub fn remove_service(ed: EditorState, i: usize) {
    let edits = ed.site.with_untracked(|site| {
        let id = site.data.services.get(i)?.id.clone();
        let mut edits = Vec::new();
        for (page, p) in site.pages.iter().enumerate() {
            for (index, block) in p.blocks.iter().enumerate() {
                if let BlockKind::BookingButton { label, service } = &block.kind {
                    if service.as_deref() == Some(id.as_str()) {
                        let mut block = block.clone();
                        block.kind = BlockKind::BookingButton {
                            label: label.clone(),
                            service: None,
                        };
                        edits.push(Edit::Set(Part::Block { page, index, block }));
                    }
                }
            }
        }
        let mut data = site.data.clone();
        data.services.remove(i);
        edits.push(Edit::Set(Part::Data(Box::new(data))));
        Some(edits)
    });
    if let Some(edits) = edits {
        ed.edit(Edit::Batch(edits), None);
        ed.seal();
    }
}
