//! The top bar: brand, navigation, language switch and sign-out.
use crate::components::session::{use_session, CsrfField};
use crate::i18n::{Lang, Text};
use crate::model::Role;
use leptos::prelude::*;
use leptos_meta::Html;
use leptos_router::hooks::use_location;

#[component]
pub fn TopBar() -> impl IntoView {
    let back = use_location().pathname.get_untracked();
    let s = use_session();
    let lang = s.lang;
    let t = move |k| lang.t(k);
    let nav = s.user.as_ref().map(|u| {
        let (href, label) = match u.role {
            Role::AgencyAdmin | Role::AgencyStaff => ("/agency".to_string(), t(Text::Merchants)),
            Role::Merchant | Role::MerchantStaff => (u.home_path(), t(Text::MySites)),
        };
        view! {
            <nav aria-label=t(Text::MainNavigation) class="topnav">
                <a href=href>{label}</a>
                <a href="/account">{t(Text::Account)}</a>
            </nav>
        }
    });
    let account = s.user.as_ref().map(|u| {
        let who = format!("{} · {}", u.display_name, u.role.label(lang));
        view! {
            <span class="who" title=t(Text::SignedInAs)>{who}</span>
            <form method="post" action="/auth/logout" class="inline">
                <CsrfField token=s.csrf.clone()/>
                <button type="submit" class="btn btn-ghost">{t(Text::LogOut)}</button>
            </form>
        }
    });
    // An agency's own look: its name and logo, its colour for the whole page.
    let mark = match &s.brand {
        Some(b) if b.logo.is_some() => view! {
            <img class="brand-logo" src=b.logo.clone() alt="" width="28" height="28"/>
        }
        .into_any(),
        _ => view! { <span class="brand-mark" aria-hidden="true">"mp"</span> }.into_any(),
    };
    let name = s
        .brand
        .as_ref()
        .map(|b| b.name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| t(Text::AppName).to_string());
    let colour = s.brand.as_ref().and_then(|b| b.color.clone()).map(|c| {
        // Checked as #rrggbb when saved.
        let css = format!(":root {{ --c-primary: {c}; --c-primary-strong: {c}; }}");
        view! { <leptos_meta::Style>{css}</leptos_meta::Style> }
    });
    view! {
        <Html {..} lang=lang.code()/>
        {colour}
        <header class="topbar">
            <a class="brand" href="/">
                {mark}
                <span class="brand-name">{name}</span>
            </a>
            {nav}
            <div class="topbar-end">
                <LangSwitch lang=lang csrf=s.csrf.clone() back=back/>
                {account}
            </div>
        </header>
    }
}

/// Works without JavaScript: each language is a submit button of a plain form.
#[component]
fn LangSwitch(lang: Lang, csrf: String, back: String) -> impl IntoView {
    let buttons = Lang::ALL
        .into_iter()
        .map(|l| {
            view! {
                <button
                    type="submit"
                    name="lang"
                    value=l.code()
                    class="lang-btn"
                    aria-pressed=if l == lang { "true" } else { "false" }
                    lang=l.code()
                >
                    {l.native_name()}
                </button>
            }
        })
        .collect_view();
    view! {
        <form method="post" action="/settings/lang" class="inline lang-switch" role="group" aria-label=lang.t(Text::SwitchLanguage)>
            <CsrfField token=csrf/>
            <input type="hidden" name="back" value=back/>
            {buttons}
        </form>
    }
}
