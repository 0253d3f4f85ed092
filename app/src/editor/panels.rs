//! The editor's panels: pages, the properties of the selection (the block's own panel is in
//! [`super::block_panel`]; with nothing selected: page, site, then theme and tab bar, whose
//! code loads when they are opened), plus export.
use super::block_panel::BlockPanel;
use super::deferred::{deferred, Disclosure};
use super::fields::{ColorField, FieldProblem, ImageField, NumberField, SelectField, TextField};
use super::icons::{Glyph, Icon};
use super::net;
use super::state::EditorState;
use crate::i18n::Text;
use crate::model::edit::{Edit, Part};
use crate::model::site::{Icon, Page, TabBar, TabItem};
use leptos::prelude::*;

#[component]
pub fn PagesPanel() -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    let new_title = RwSignal::new(String::new());
    let pages = move || {
        ed.site.with(|s| {
            s.pages
                .iter()
                .map(|p| (p.id.clone(), p.title.clone()))
                .enumerate()
                .collect::<Vec<_>>()
        })
    };
    let add = move || {
        let title = new_title.get_untracked().trim().to_string();
        if title.is_empty() {
            return;
        }
        let (index, id) = ed.site.with_untracked(|s| {
            let base: String = title
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .map(|c| c.to_ascii_lowercase())
                .take(20)
                .collect();
            let base = if base.is_empty() || !base.starts_with(|c: char| c.is_ascii_lowercase()) {
                "page".to_string()
            } else {
                base
            };
            let taken = |id: &str| {
                s.pages.iter().any(|p| p.id == id)
                    || crate::model::validate::RESERVED_PAGE_IDS.contains(&id)
            };
            let id = if taken(&base) {
                (2..)
                    .map(|n| format!("{base}{n}"))
                    .find(|i| !taken(i))
                    .expect("free id")
            } else {
                base
            };
            (s.pages.len(), id)
        });
        ed.edit(
            Edit::InsertPage {
                index,
                page: Page {
                    id,
                    title,
                    blocks: Vec::new(),
                },
            },
            None,
        );
        ed.page.set(index);
        ed.selected.set(None);
        new_title.set(String::new());
    };
    let adding = RwSignal::new(false);
    view! {
        <section class="panel pages-panel" aria-labelledby="pages-title">
            <div class="panel-head">
                <h2 id="pages-title">{t(Text::Pages)}</h2>
                <button type="button" class="btn btn-small" aria-expanded=move || adding.get().to_string()
                    aria-controls="new-page-form" on:click=move |_| adding.update(|a| *a = !*a)>
                    <Icon glyph=Glyph::Plus/>{t(Text::AddPage)}
                </button>
            </div>
            <ul class="page-list">
                <For each=pages key=|p| p.clone() let:((i, (_id, title)))>
                    <li>
                        <button type="button" class="page-item" aria-current=move || (ed.page.get() == i).then_some("page")
                            on:click=move |_| { ed.page.set(i); ed.selected.set(None); }>{title}</button>
                    </li>
                </For>
            </ul>
            {move || adding.get().then(|| view! {
                <form id="new-page-form" class="inline-form" on:submit=move |e| { e.prevent_default(); add(); adding.set(false); }>
                    <label for="new-page-title" class="sr-only">{t(Text::NewPageTitle)}</label>
                    <input id="new-page-title" type="text" maxlength="20" required placeholder=t(Text::NewPageTitle) autofocus
                        prop:value=move || new_title.get() on:input=move |e| new_title.set(event_target_value(&e))/>
                    <button type="submit" class="btn">{t(Text::AddPage)}</button>
                </form>
            })}
        </section>
    }
}

// --------------------------------------------------------------------------------------------
// Properties

#[component]
pub fn Properties() -> impl IntoView {
    let ed = expect_context::<EditorState>();
    // A memo: the panel is rebuilt when another block (or kind) is selected, not on every
    // edit of the site (which would drop the focus and what is open in the panel).
    let selected = Memo::new(move |_| {
        let (page, index) = ed.selected_index()?;
        let kind = ed
            .site
            .with(|s| s.pages[page].blocks[index].kind.block_type());
        Some((page, index, kind))
    });
    move || match selected.get() {
        Some((page, index, kind)) => view! { <BlockPanel page index kind/> }.into_any(),
        None => view! {
            <PagePanel/>
            <SitePanel/>
            <Disclosure id="theme-panel-title" title=ed.t(Text::Theme) open=ed.theme_open
                body=|| deferred!(theme_panel, theme_panel()).into_any()/>
            <Disclosure id="tabbar-panel-title" title=ed.t(Text::TabBar) open=ed.tab_bar_open
                body=|| deferred!(tab_bar_panel, tab_bar_panel()).into_any()/>
        }
        .into_any(),
    }
}

/// The theme panel's body, loaded when the panel is first opened.
#[lazy]
fn theme_panel() -> AnyView {
    view! { <ThemePanel/> }.into_any()
}

/// The tab bar panel's body, loaded when the panel is first opened.
#[lazy]
fn tab_bar_panel() -> AnyView {
    view! { <TabBarPanel/> }.into_any()
}

#[component]
fn PagePanel() -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    let page = move || ed.page.get();
    let title = Signal::derive(move || {
        ed.site.with(|s| {
            s.pages
                .get(page())
                .map(|p| p.title.clone())
                .unwrap_or_default()
        })
    });
    let is_tab = move || {
        ed.site.with(|s| {
            let id = s
                .pages
                .get(page())
                .map(|p| p.id.clone())
                .unwrap_or_default();
            s.tab_bar
                .as_ref()
                .is_some_and(|tb| tb.items.iter().any(|i| i.page == id))
        })
    };
    let delete = move |_| {
        let (index, count) = (page(), ed.site.with_untracked(|s| s.pages.len()));
        if count <= 1 {
            ed.notice.set(Some(t(Text::LastPage).into()));
            return;
        }
        ed.edit(Edit::RemovePage { index }, None);
        ed.page.set(index.saturating_sub(1));
    };
    let shift = move |delta: isize| {
        let (from, count) = (page(), ed.site.with_untracked(|s| s.pages.len()));
        let to = from as isize + delta;
        if to >= 0 && (to as usize) < count {
            ed.edit(
                Edit::MovePage {
                    from,
                    to: to as usize,
                },
                None,
            );
            ed.page.set(to as usize);
        }
    };
    let is_last = move || page() + 1 >= ed.site.with(|s| s.pages.len());
    view! {
        <section class="panel" aria-labelledby="page-panel-title">
            <h2 id="page-panel-title">{t(Text::ThisPage)}</h2>
            <TextField label=t(Text::FieldPageTitle) value=title path=Signal::derive(move || format!("pages[{}].title", page()))
                set=move |v: String| { let p = page(); ed.edit(Edit::Set(Part::PageTitle { page: p, title: v }), Some(&format!("pages[{p}].title"))) }/>
            <div class="actions">
                <button type="button" class="btn" on:click=move |_| shift(-1)
                    disabled=move || page() == 0>{t(Text::MovePageUp)}</button>
                <button type="button" class="btn" on:click=move |_| shift(1)
                    disabled=is_last>{t(Text::MovePageDown)}</button>
                <button type="button" class="btn danger" on:click=delete>{t(Text::DeletePage)}</button>
            </div>
            {move || is_tab().then(|| view! { <p class="hint">{t(Text::TabPageHint)}</p> })}
        </section>
    }
}

#[component]
fn SitePanel() -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    view! {
        <section class="panel" aria-labelledby="site-panel-title">
            <h2 id="site-panel-title">{t(Text::SiteSettings)}</h2>
            <TextField label=t(Text::SiteName) path="name" value=Signal::derive(move || ed.site.with(|s| s.name.clone()))
                set=move |v: String| ed.edit(Edit::Set(Part::Name(v)), Some("name"))/>
            <div class="field">
                <label for="site-locale">{t(Text::CustomerLanguage)}</label>
                <select id="site-locale" data-path="locale" aria-describedby="site-locale-hint"
                    on:change=move |e| {
                        if let Some(l) = crate::i18n::Lang::from_code(&event_target_value(&e)) {
                            ed.edit(Edit::Set(Part::Locale(l)), Some("locale"));
                            ed.seal();
                        }
                    }>
                    {crate::i18n::Lang::ALL.into_iter().map(|l| view! {
                        <option value=l.code() lang=l.code()
                            selected=move || ed.site.with(|s| s.locale == l)>{l.native_name()}</option>
                    }).collect_view()}
                </select>
                <p class="hint" id="site-locale-hint">{t(Text::CustomerLanguageHint)}</p>
            </div>
            <ImageField label=t(Text::Logo) path="logo"
                value=Signal::derive(move || ed.site.with(|s| s.logo.clone().unwrap_or_default()))
                set=move |v: String| {
                    ed.edit(Edit::Set(Part::Logo((!v.is_empty()).then_some(v))), None);
                    ed.seal();
                }/>
            <p class="hint">{t(Text::LogoHint)}</p>
        </section>
    }
}

#[component]
fn ThemePanel() -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    let theme = move || ed.site.with(|s| s.theme.clone());
    let set = move |field: &str, f: &dyn Fn(&mut crate::model::theme::ThemeSettings)| {
        let mut th = ed.site.with_untracked(|s| s.theme.clone());
        f(&mut th);
        ed.edit(Edit::Set(Part::Theme(th)), Some(&format!("theme.{field}")));
    };
    let bg = Signal::derive(move || theme().background);
    view! {
            <ColorField label=t(Text::ColorPrimary) path="theme.primary" against=bg
                value=Signal::derive(move || theme().primary) set=move |v: String| set("primary", &|th| th.primary = v.clone())/>
            <ColorField label=t(Text::ColorAccent) path="theme.accent" against=bg
                value=Signal::derive(move || theme().accent) set=move |v: String| set("accent", &|th| th.accent = v.clone())/>
            <ColorField label=t(Text::ColorBackground) path="theme.background" against=Signal::derive(move || theme().text)
                value=bg set=move |v: String| set("background", &|th| th.background = v.clone())/>
            <ColorField label=t(Text::ColorText) path="theme.text" against=bg
                value=Signal::derive(move || theme().text) set=move |v: String| set("text", &|th| th.text = v.clone())/>
            <NumberField label=t(Text::CornerRadius) path="theme.radius" min=0 max=48
                value=Signal::derive(move || theme().radius as i64) set=move |v: i64| set("radius", &|th| th.radius = v as u8)/>
            <div class="field">
                <label for="font-scale">{t(Text::FontScale)}</label>
                <input id="font-scale" type="range" min="0.85" max="1.3" step="0.05"
                    prop:value=move || theme().font_scale.to_string()
                    on:input=move |e| { if let Ok(v) = event_target_value(&e).parse::<f32>() { set("font_scale", &|th| th.font_scale = v) } }
                    on:change=move |_| ed.seal()/>
            </div>
    }
}

#[component]
fn TabBarPanel() -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    let tab_bar = move || ed.site.with(|s| s.tab_bar.clone());
    let set = move |tb: Option<TabBar>| ed.edit(Edit::Set(Part::TabBar(tb)), None);
    let count = move || tab_bar().map_or(0, |tb| tb.items.len());
    let add = move |_| {
        let Some(mut tb) = tab_bar() else { return };
        let used: Vec<String> = tb.items.iter().map(|i| i.page.clone()).collect();
        let Some(p) = ed
            .site
            .with_untracked(|s| s.pages.iter().find(|p| !used.contains(&p.id)).cloned())
        else {
            ed.notice.set(Some(t(Text::TabNeedsPage).into()));
            return;
        };
        tb.items.push(TabItem {
            page: p.id,
            text: p.title.chars().take(4).collect(),
            icon: Icon::ALL[0],
        });
        set(Some(tb));
    };
    let item = move |i: usize| tab_bar().and_then(|tb| tb.items.get(i).cloned());
    let update = move |i: usize, f: &dyn Fn(&mut TabItem)| {
        if let Some(mut tb) = tab_bar() {
            if let Some(it) = tb.items.get_mut(i) {
                f(it);
            }
            ed.edit(
                Edit::Set(Part::TabBar(Some(tb))),
                Some(&format!("tab_bar.items[{i}]")),
            );
        }
    };
    let remove = move |i: usize| {
        if let Some(mut tb) = tab_bar() {
            if tb.items.len() <= 2 {
                ed.notice.set(Some(t(Text::TabMinimum).into()));
                return;
            }
            tb.items.remove(i);
            set(Some(tb));
        }
    };
    let pages = ed.page_choices();
    let icons = Signal::derive(move || {
        Icon::ALL
            .iter()
            .map(|i| (i.slug().to_string(), t(icon_label(*i)).to_string()))
            .collect::<Vec<_>>()
    });
    let color_of = move |f: fn(TabBar) -> String| tab_bar().map(f).unwrap_or_default();
    let set_color = move |field: &str, f: &dyn Fn(&mut TabBar)| {
        if let Some(mut tb) = tab_bar() {
            f(&mut tb);
            ed.edit(
                Edit::Set(Part::TabBar(Some(tb))),
                Some(&format!("tab_bar.{field}")),
            );
        }
    };
    let tab_bg = Signal::derive(move || color_of(|tb| tb.background));
    view! {
            <p class="hint">{t(Text::TabRules)}</p>
            {move || tab_bar().is_none().then(|| view! { <p class="muted">{t(Text::NoTabBar)}</p> })}
            <For each=move || 0..count() key=|i| *i let:i>
                <fieldset class="item-card">
                    <legend>{format!("{} {}", t(Text::Tab), i + 1)}</legend>
                    <TextField label=t(Text::FieldLabel) path=format!("tab_bar.items[{i}].text")
                        value=Signal::derive(move || item(i).map(|it| it.text).unwrap_or_default())
                        set=move |v: String| update(i, &|it| it.text = v.clone())/>
                    <SelectField label=t(Text::FieldLinkPage) path=format!("tab_bar.items[{i}].page") options=pages
                        value=Signal::derive(move || item(i).map(|it| it.page).unwrap_or_default())
                        set=move |v: String| update(i, &|it| it.page = v.clone())/>
                    <SelectField label=t(Text::FieldIcon) path=format!("tab_bar.items[{i}].icon") options=icons
                        value=Signal::derive(move || item(i).map(|it| it.icon.slug().to_string()).unwrap_or_default())
                        set=move |v: String| { if let Some(icon) = Icon::ALL.iter().find(|ic| ic.slug() == v) { update(i, &|it| it.icon = *icon) } }/>
                    <button type="button" class="link-button danger" on:click=move |_| remove(i)>{t(Text::RemoveTab)}</button>
                </fieldset>
            </For>
            <FieldProblem path="tab_bar.items" id="tab-items-err".to_string()/>
            <button type="button" class="btn" on:click=add disabled=move || { count() >= 5 || tab_bar().is_none() }>{t(Text::AddTab)}</button>
            {move || tab_bar().is_some().then(|| view! {
                <fieldset class="item-card">
                    <legend>{t(Text::TabColors)}</legend>
                    <ColorField label=t(Text::TabTextColor) path="tab_bar.color" against=tab_bg
                        value=Signal::derive(move || color_of(|tb| tb.color)) set=move |v: String| set_color("color", &|tb| tb.color = v.clone())/>
                    <ColorField label=t(Text::TabSelectedColor) path="tab_bar.selected_color" against=tab_bg
                        value=Signal::derive(move || color_of(|tb| tb.selected_color)) set=move |v: String| set_color("selected_color", &|tb| tb.selected_color = v.clone())/>
                    <ColorField label=t(Text::TabBackground) path="tab_bar.background" against=Signal::derive(move || color_of(|tb| tb.color))
                        value=tab_bg set=move |v: String| set_color("background", &|tb| tb.background = v.clone())/>
                </fieldset>
            })}
    }
}

/// The name of a tab icon in the merchant's language.
fn icon_label(icon: Icon) -> Text {
    match icon {
        Icon::Home => Text::IconHome,
        Icon::Shop => Text::IconShop,
        Icon::Cart => Text::IconCart,
        Icon::Calendar => Text::IconCalendar,
        Icon::User => Text::IconUser,
        Icon::Info => Text::IconInfo,
        Icon::Phone => Text::IconPhone,
        Icon::Map => Text::IconMap,
        Icon::Star => Text::IconStar,
        Icon::Grid => Text::IconGrid,
        Icon::Gift => Text::IconGift,
        Icon::Photo => Text::IconPhoto,
    }
}

// --------------------------------------------------------------------------------------------
// Export

/// What an export gave: the package's page count and part sizes, or why it was refused.
type ExportResult =
    Result<(u64, Vec<(String, usize)>, String), (String, Vec<crate::model::validate::Problem>)>;

#[component]
pub fn ExportButton() -> impl IntoView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    let busy = RwSignal::new(false);
    let result = RwSignal::new(None::<ExportResult>);
    let run = move |_| {
        busy.set(true);
        result.set(None);
        let id = ed.site_id.get_value();
        leptos::task::spawn_local(async move {
            let r = net::export(&id).await;
            busy.set(false);
            result.set(Some(match r {
                Ok(net::Exported::Downloaded(pages, sizes, file)) => Ok((pages, sizes, file)),
                Ok(net::Exported::Refused(r)) => Err((r.message, r.problems)),
                Err(net::NetError::Offline) => Err((t(Text::ErrNetwork).into(), Vec::new())),
                Err(net::NetError::Refused(m) | net::NetError::Conflict(m)) => Err((m, Vec::new())),
            }));
        });
    };
    view! {
        <button type="button" class="btn btn-primary" on:click=run disabled=move || busy.get()>
            {move || if busy.get() { t(Text::Exporting) } else { t(Text::Export) }}
        </button>
        {move || result.get().map(|r| deferred!(export_report, export_report(r.clone(), result)))}
    }
}

/// A size as people read it: `40 KB`, `1.4 MB`.
fn friendly_size(bytes: usize) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// The export's report, loaded with the first export: sizes, or the problems to fix, each a
/// link to its field. `shown` is cleared to dismiss it.
#[lazy]
fn export_report(report: ExportResult, shown: RwSignal<Option<ExportResult>>) -> AnyView {
    let ed = expect_context::<EditorState>();
    let t = move |k| ed.t(k);
    match report {
        Ok((pages, sizes, file)) => view! {
            <div class="export-result alert alert-ok" role="status">
                <p><strong>{ed.lang.fill(Text::ExportedAs, &[("file", file), ("pages", pages.to_string())])}</strong></p>
                <ul class="sizes">{sizes.into_iter().map(|(name, bytes)| {
                    let part = if name == "main" { t(Text::PackageMain).to_string() } else { ed.lang.fill(Text::PackagePart, &[("name", name)]) };
                    view! {
                        <li>{ed.lang.fill(Text::PackageSize, &[("part", part), ("size", friendly_size(bytes))])}
                            <meter min="0" max="2097152" high="1887436" value=bytes.to_string()></meter></li>
                    }
                }).collect_view()}</ul>
                <p><strong>{t(Text::WhatNext)}</strong></p>
                <ol class="next-steps">
                    <li>{t(Text::NextUnzip)}</li>
                    <li>{t(Text::NextDevTools)}</li>
                    <li>{t(Text::NextSubmit)}</li>
                </ol>
                <button type="button" class="link-button" on:click=move |_| shown.set(None)>{t(Text::Dismiss)}</button>
            </div>
        }.into_any(),
        Err((message, problems)) => view! {
            <div class="export-result alert alert-error" role="alert">
                <p>{message}</p>
                <ul>{problems.into_iter().map(|p| {
                    let path = p.path.clone();
                    // The message is what the merchant reads; the path is for support and scripts.
                    view! { <li><button type="button" class="link-button" on:click=move |_| ed.reveal_problem(&path)>{p.message}</button>" "<code class="muted small">{p.path.clone()}</code></li> }
                }).collect_view()}</ul>
                <button type="button" class="link-button" on:click=move |_| shown.set(None)>{t(Text::Dismiss)}</button>
            </div>
        }.into_any(),
    }
}
