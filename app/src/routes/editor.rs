//! `/sites/:id/edit`: loads the draft (on the server, so the editor renders without waiting)
//! and mounts the editor, the one island of the app, with the script that hydrates it.
use crate::api::get_draft;
use crate::components::feedback::{ErrorPage, Loading};
use crate::components::session::use_session;
use crate::editor::Editor;
use crate::i18n::Text;
use crate::shell::IslandScripts;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn EditorPage() -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let draft = Resource::new_blocking(id, get_draft);
    let csrf = s.csrf.clone();
    view! {
        <Suspense fallback=Loading>
            {move || {
                let csrf = csrf.clone();
                Suspend::new(async move {
                    match draft.await {
                        Ok(d) => {
                            let title = format!("{} · {}", d.site.name, lang.t(Text::Editor));
                            view! { <Title text=title/><Editor draft=d csrf lang/><IslandScripts/> }.into_any()
                        }
                        Err(error) => view! { <ErrorPage error lang/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
