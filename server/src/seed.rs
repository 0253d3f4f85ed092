//! First run: a demo agency with two merchants, so a new installation has something to show.
//! Passwords are random and printed once; nothing is ever a fixed default.
use crate::accounts::{create_agency, create_merchant};
use crate::backend::StoreBackend;
use crate::storage::SharedStore;
use app::api::{Backend, NewMerchant, NewSite};
use app::error::AppError;
use app::i18n::Lang;
use app::model::ThemeKind;

pub struct DemoLogin {
    pub role: &'static str,
    pub name: String,
    pub login: String,
    pub password: String,
}

pub async fn seed_demo(
    store: &SharedStore,
    blobs: &crate::storage::blobs::Blobs,
) -> Result<Vec<DemoLogin>, AppError> {
    let admin_password = crate::auth::generate_password();
    let (agency, admin) = create_agency(
        &**store,
        "Demo Agency",
        "agency@demo.mpforge",
        &admin_password,
    )
    .await?;
    let mut logins = vec![DemoLogin {
        role: "agency admin",
        name: agency.name.clone(),
        login: admin.login.clone(),
        password: admin_password,
    }];
    let backend = StoreBackend {
        store: store.clone(),
        blobs: blobs.clone(),
        wx: std::sync::Arc::new(crate::wechat::tokens::Wx::offline()),
    };
    let who = crate::accounts::user_view(&**store, &admin).await?;
    for (name, login, template, site) in [
        (
            "Lotus Café",
            "cafe@demo.mpforge",
            ThemeKind::Shop,
            "Lotus Café",
        ),
        (
            "Bamboo Salon",
            "salon@demo.mpforge",
            ThemeKind::Booking,
            "Bamboo Salon",
        ),
    ] {
        let input = NewMerchant {
            name: name.into(),
            login: login.into(),
            password: String::new(),
        };
        let created = create_merchant(&**store, agency.id.to_owned(), input, Lang::En).await?;
        backend
            .create_site(
                &who,
                &created.merchant.id,
                NewSite {
                    name: site.into(),
                    template,
                    locale: Lang::En,
                },
            )
            .await?;
        logins.push(DemoLogin {
            role: "merchant",
            name: name.into(),
            login: login.into(),
            password: created.generated_password.unwrap_or_default(),
        });
    }
    store.flush().await?;
    Ok(logins)
}

pub fn print_demo_logins(logins: &[DemoLogin]) {
    println!();
    println!("  First run: created a demo agency with two merchants.");
    println!("  These passwords are shown only this once; note them now.");
    println!();
    for l in logins {
        println!(
            "    {:<13} {:<22} {}   ({})",
            l.role, l.login, l.password, l.name
        );
    }
    println!();
}
