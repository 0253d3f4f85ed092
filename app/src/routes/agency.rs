//! `/agency`: the agency's merchants, and a form to add one.
use crate::api::{list_merchants, CreateMerchant};
use crate::components::feedback::{ErrorAlert, ErrorPage, Loading};
use crate::components::session::{use_session, CsrfField};
use crate::error::AppError;
use crate::i18n::{Lang, Text};
use crate::model::{MerchantView, Role};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

#[component]
pub fn AgencyPage() -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    let Some(user) = s.user.clone() else {
        return view! { <Redirect path="/login"/> }.into_any();
    };
    if user.role != Role::AgencyAdmin {
        return view! { <ErrorPage error=AppError::Forbidden lang/> }.into_any();
    }
    let create = ServerAction::<CreateMerchant>::new();
    let merchants = Resource::new_blocking(move || create.version().get(), |_| list_merchants());
    let t = move |k| lang.t(k);
    view! {
        <Title text=t(Text::Merchants)/>
        <div class="page-head">
            <div>
                <p class="eyebrow">{user.agency_name.clone()}</p>
                <h1>{t(Text::Merchants)}</h1>
                <p class="muted">{t(Text::MerchantsIntro)}</p>
            </div>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match merchants.await {
                    Ok(list) => view! { <MerchantTable list lang/> }.into_any(),
                    Err(error) => view! { <ErrorPage error lang/> }.into_any(),
                }
            })}
        </Suspense>
        <NewMerchantForm action=create csrf=s.csrf.clone() lang/>
    }
    .into_any()
}

#[component]
fn MerchantTable(list: Vec<MerchantView>, lang: Lang) -> impl IntoView {
    let t = move |k| lang.t(k);
    if list.is_empty() {
        return view! { <p class="empty card">{t(Text::NoMerchants)}</p> }.into_any();
    }
    let rows = list
        .into_iter()
        .map(|m| {
            let href = format!("/merchants/{}", m.id);
            view! {
                <tr>
                    <td><a href=href>{m.name}</a></td>
                    <td><code>{m.login}</code></td>
                    <td class="num">{m.site_count}</td>
                    <td>{m.created_at.get(..10).unwrap_or_default().to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="card table-wrap">
            <table aria-label=t(Text::Merchants)>
                <thead>
                    <tr>
                        <th scope="col">{t(Text::MerchantName)}</th>
                        <th scope="col">{t(Text::MerchantLogin)}</th>
                        <th scope="col" class="num">{t(Text::SitesCount)}</th>
                        <th scope="col">{t(Text::Created)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn NewMerchantForm(
    action: ServerAction<CreateMerchant>,
    csrf: String,
    lang: Lang,
) -> impl IntoView {
    let t = move |k| lang.t(k);
    let result = move || {
        action.value().get().map(|r| match r {
            Ok(created) => view! {
                <div class="alert alert-ok" role="status">
                    <p>{t(Text::MerchantCreated)}" "<strong>{created.merchant.name.clone()}</strong></p>
                    {created.generated_password.map(|p| view! {
                        <p>{t(Text::GeneratedPassword)}" "<code class="secret">{p}</code></p>
                    })}
                </div>
            }
            .into_any(),
            Err(error) => view! { <ErrorAlert error lang/> }.into_any(),
        })
    };
    view! {
        <section class="card" aria-labelledby="new-merchant-title">
            <h2 id="new-merchant-title">{t(Text::CreateMerchant)}</h2>
            <ActionForm action=action attr:class="grid-form">
                <CsrfField token=csrf/>
                <div class="field">
                    <label for="m-name">{t(Text::MerchantName)}</label>
                    <input id="m-name" name="name" type="text" required maxlength="80"/>
                </div>
                <div class="field">
                    <label for="m-login">{t(Text::MerchantLogin)}</label>
                    <input id="m-login" name="login" type="text" required maxlength="64"
                        autocomplete="off" autocapitalize="none" spellcheck="false"/>
                </div>
                <div class="field">
                    <label for="m-password">{t(Text::MerchantPassword)}</label>
                    <input id="m-password" name="password" type="password" minlength="10"
                        autocomplete="new-password" aria-describedby="m-password-hint"/>
                    <p class="hint" id="m-password-hint">{t(Text::MerchantPasswordHint)}</p>
                </div>
                <div class="actions">
                    <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { t(Text::Creating) } else { t(Text::CreateMerchant) }}
                    </button>
                </div>
            </ActionForm>
            {result}
        </section>
    }
}
