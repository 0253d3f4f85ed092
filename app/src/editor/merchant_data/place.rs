//! Where the shop is and how to reach it: location on the map, contact details, gallery.
use super::super::fields::{ImageField, TextField};
use super::super::state::EditorState;
use super::{data, set_data};
use crate::i18n::Text;
use crate::model::site::Location;
use leptos::prelude::*;

#[component]
pub fn LocationEditor() -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    let loc = move || ed.site.with(|s| s.data.location.clone());
    let set = move |f: &str, g: &(dyn Fn(&mut Location) + Send + Sync)| {
        set_data(ed, &format!("data.location.{f}"), |d| {
            let l = d.location.get_or_insert_with(|| Location {
                name: String::new(),
                address: String::new(),
                latitude: 0.0,
                longitude: 0.0,
            });
            g(l)
        })
    };
    let coord = move |f: &'static str,
                      label: &'static str,
                      get: fn(&Location) -> f64,
                      put: fn(&mut Location, f64)| {
        let id = format!("loc-{f}");
        let bad = RwSignal::new(false);
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input id=id type="text" inputmode="decimal" data-path=format!("data.location.{f}") prop:value=move || loc().map(|l| get(&l).to_string()).unwrap_or_default()
                    aria-invalid=move || bad.get().to_string()
                    on:input=move |e| {
                        match event_target_value(&e).trim().parse::<f64>() {
                            Ok(v) => { bad.set(false); set(f, &move |l| put(l, v)) }
                            Err(_) => bad.set(true),
                        }
                    }
                    on:blur=move |_| ed.seal()/>
                {move || bad.get().then(|| view! { <p class="field-error">{t(Text::ErrCoordinate)}</p> })}
                {move || ed.problem(&format!("data.location.{f}")).map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
        }
    };
    view! {
        <section class="subpanel" aria-labelledby="location-title">
            <h3 id="location-title">{t(Text::Location)}</h3>
            <TextField label=t(Text::FieldName) path="data.location.name"
                value=Signal::derive(move || loc().map(|l| l.name).unwrap_or_default())
                set=move |v: String| set("name", &|l| l.name = v.clone())/>
            <TextField label=t(Text::Address) path="data.location.address"
                value=Signal::derive(move || loc().map(|l| l.address).unwrap_or_default())
                set=move |v: String| set("address", &|l| l.address = v.clone())/>
            {coord("latitude", t(Text::Latitude), |l| l.latitude, |l, v| l.latitude = v)}
            {coord("longitude", t(Text::Longitude), |l| l.longitude, |l, v| l.longitude = v)}
            <p class="hint">{t(Text::CoordinateHint)}</p>
        </section>
    }
    .into_any()
}

#[component]
pub fn ContactEditor() -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    view! {
        <section class="subpanel" aria-labelledby="contact-title">
            <h3 id="contact-title">{t(Text::BlockContactCard)}</h3>
            <TextField label=t(Text::Phone) path="data.contact.phone"
                value=data(ed, |d| Some(d.contact.phone.clone()))
                set=move |v: String| set_data(ed, "data.contact.phone", |d| d.contact.phone = v)/>
            <TextField label=t(Text::WechatId) path="data.contact.wechat"
                value=data(ed, |d| Some(d.contact.wechat.clone()))
                set=move |v: String| set_data(ed, "data.contact.wechat", |d| d.contact.wechat = v)/>
            <TextField label=t(Text::Email) path="data.contact.email"
                value=data(ed, |d| Some(d.contact.email.clone()))
                set=move |v: String| set_data(ed, "data.contact.email", |d| d.contact.email = v)/>
        </section>
    }
    .into_any()
}

#[component]
pub fn GalleryEditor() -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    let count = move || ed.site.with(|s| s.data.gallery.len());
    view! {
        <section class="subpanel" aria-labelledby="gallery-title">
            <h3 id="gallery-title">{t(Text::BlockGallery)}</h3>
            <For each=move || 0..count() key=|i| *i let:i>
                <ImageField label=t(Text::FieldImage) path=format!("data.gallery[{i}]")
                    value=data(ed, move |d| d.gallery.get(i).cloned())
                    set=move |v: String| set_data(ed, &format!("data.gallery[{i}]"), |d| {
                        if v.is_empty() { if i < d.gallery.len() { d.gallery.remove(i); } }
                        else if let Some(g) = d.gallery.get_mut(i) { *g = v }
                    })/>
            </For>
            <ImageField label=t(Text::AddPicture) path="data.gallery"
                value=Signal::derive(String::new)
                set=move |v: String| if !v.is_empty() { set_data(ed, "data.gallery", |d| d.gallery.push(v)); ed.seal(); }/>
        </section>
    }
    .into_any()
}
