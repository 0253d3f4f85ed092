//! The view model written to `data/site.js`: references resolved, prices formatted, hidden
//! blocks dropped, so the mini program's templates only display.
use app::i18n::mini_program::{labels, Label};
use app::i18n::Lang;
use app::model::product::ShownPrice;
use app::model::site::BlockKind;
use app::model::site::{format_yuan, Block, MerchantData, Product, Service, Site};
use serde_json::{json, Map, Value};

fn yuan(fen: u64) -> String {
    format!("¥{}", format_yuan(fen))
}

fn initial(name: &str) -> String {
    name.chars()
        .next()
        .map(|c| c.to_uppercase().to_string())
        .unwrap_or_default()
}

fn summary(text: &str) -> String {
    let first: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        format!("{first}…")
    } else {
        first
    }
}

fn product_card(p: &Product, lang: Lang) -> Value {
    let stock = if p.variants.is_empty() {
        p.stock
    } else {
        p.variants.iter().map(|v| v.stock).sum::<Option<u32>>()
    };
    // With choices at different prices the card says "from" the lowest, as the editor does.
    let price_text = match p.shown_price() {
        ShownPrice::Exactly(fen) => yuan(fen),
        ShownPrice::From(fen) => Label::price_from.text(lang).replace("{price}", &yuan(fen)),
    };
    json!({
        "id": p.id,
        "name": p.name,
        "summary": summary(&p.description),
        "image": p.images.first().cloned().unwrap_or_default(),
        "initial": initial(&p.name),
        "price_text": price_text,
        "compare_at_text": p.compare_at.map(yuan).unwrap_or_default(),
        "sold_out": stock == Some(0),
    })
}

fn product_detail(p: &Product, lang: Lang) -> Value {
    let mut v = product_card(p, lang);
    let o = v.as_object_mut().expect("object");
    o.insert("description".into(), json!(p.description));
    o.insert("images".into(), json!(p.images));
    o.insert("price".into(), json!(p.price));
    o.insert("stock".into(), json!(p.stock));
    o.insert("options".into(), json!(p.options));
    o.insert("variants".into(), json!(p.variants));
    v
}

fn service_view(s: &Service, minutes: &str, d: &MerchantData) -> Value {
    // Who may be picked for it: its own staff, or everyone when it names none.
    let staff: Vec<Value> = d
        .staff
        .iter()
        .filter(|p| s.staff.is_empty() || s.staff.contains(&p.id))
        .map(|p| json!({"id": p.id, "name": p.name}))
        .collect();
    json!({
        "id": s.id,
        "name": s.name,
        "staff": staff,
        "description": s.description,
        "duration_min": s.duration_min,
        "duration_text": format!("{} {minutes}", s.duration_min),
        "price_text": yuan(s.price),
    })
}

fn minutes_of(hhmm: &str) -> u32 {
    let (h, m) = hhmm.split_once(':').unwrap_or(("0", "0"));
    h.parse::<u32>().unwrap_or(0) * 60 + m.parse::<u32>().unwrap_or(0)
}

/// One visible block as its template sees it: its own fields, plus what it shows of the
/// merchant's data (product cards, services, slides). Every type is matched, so a new block
/// type does not compile until it is given its data here.
fn block_view(b: &Block, d: &MerchantData, services: &[Value], lang: Lang) -> Value {
    let mut v = serde_json::to_value(b).expect("blocks serialise");
    let o = v.as_object_mut().expect("block object");
    o.remove("hidden");
    match &b.kind {
        BlockKind::ProductGrid { category, .. } => {
            let cards: Vec<Value> = d
                .products
                .iter()
                .filter(|p| category.is_none() || p.category == *category)
                .map(|p| product_card(p, lang))
                .collect();
            o.insert("products".into(), json!(cards));
        }
        BlockKind::ProductList { .. } => {
            let mut groups: Vec<Value> = d
                .categories
                .iter()
                .map(|c| {
                    let items: Vec<Value> = d
                        .products
                        .iter()
                        .filter(|p| p.category.as_deref() == Some(&c.id))
                        .map(|p| product_card(p, lang))
                        .collect();
                    json!({"id": c.id, "name": c.name, "products": items})
                })
                .collect();
            let loose: Vec<Value> = d
                .products
                .iter()
                .filter(|p| p.category.is_none())
                .map(|p| product_card(p, lang))
                .collect();
            if !loose.is_empty() {
                groups.push(json!({"id": "_other", "name": "", "products": loose}));
            }
            groups.retain(|g| g["products"].as_array().is_some_and(|a| !a.is_empty()));
            o.insert("groups".into(), json!(groups));
        }
        BlockKind::FeaturedProduct { product } => {
            if let Some(p) = d.products.iter().find(|p| &p.id == product) {
                o.insert("product".into(), product_card(p, lang));
            }
        }
        BlockKind::ServiceList { .. } => {
            o.insert("services".into(), json!(services));
        }
        BlockKind::BookingButton { service, .. } => {
            o.insert("service".into(), json!(service.clone().unwrap_or_default()));
        }
        BlockKind::Banner { slides } => {
            let s: Vec<Value> = slides
                .iter()
                .map(|s| {
                    json!({"image": s.image, "title": s.title, "subtitle": s.subtitle,
                    "link": s.link.clone().unwrap_or_default()})
                })
                .collect();
            o.insert("slides".into(), json!(s));
        }
        BlockKind::RichText { .. }
        | BlockKind::Image { .. }
        | BlockKind::NoticeBar { .. }
        | BlockKind::OpeningHours { .. }
        | BlockKind::LocationMap { .. }
        | BlockKind::ContactCard { .. }
        | BlockKind::Gallery { .. }
        | BlockKind::Spacer { .. }
        | BlockKind::Divider {}
        | BlockKind::LinkButton { .. } => {}
    }
    v
}

/// Opening hours as the hours block shows them (a row per weekday, special days) and as the
/// booking screen computes slots from them (minutes since midnight).
fn hours_view(d: &MerchantData, labels: &Value, closed: &str) -> (Option<Value>, Value, Value) {
    let weekdays = labels["weekdays_short"].clone();
    let hours = d.hours.as_ref().map(|h| {
        let rows: Vec<Value> = h
            .weekly
            .iter()
            .enumerate()
            .map(|(i, day)| {
                let text = if day.closed {
                    closed.to_string()
                } else {
                    format!("{} – {}", day.open, day.close)
                };
                json!({"day": weekdays[i], "text": text, "today": false})
            })
            .collect();
        let exceptions: Vec<Value> = h
            .exceptions
            .iter()
            .map(|e| {
                let text = if e.closed {
                    closed.to_string()
                } else {
                    format!("{} – {}", e.open, e.close)
                };
                let text = if e.note.is_empty() {
                    text
                } else {
                    format!("{text} · {}", e.note)
                };
                json!({"date": e.date, "text": text})
            })
            .collect();
        json!({"rows": rows, "exceptions": exceptions})
    });
    let booking_weekly: Vec<Value> = d
        .hours
        .as_ref()
        .map(|h| {
            h.weekly
                .iter()
                .map(|day| json!({"closed": day.closed, "open": minutes_of(&day.open), "close": minutes_of(&day.close)}))
                .collect()
        })
        .unwrap_or_else(|| (0..7).map(|_| json!({"closed": false, "open": 540, "close": 1080})).collect());
    let booking_exceptions: Vec<Value> = d
        .hours
        .as_ref()
        .map(|h| {
            h.exceptions
                .iter()
                .map(|e| json!({"date": e.date, "closed": e.closed, "open": minutes_of(&e.open), "close": minutes_of(&e.close)}))
                .collect()
        })
        .unwrap_or_default();
    (hours, json!(booking_weekly), json!(booking_exceptions))
}

pub fn site_view(site: &Site) -> Value {
    let labels = labels(site.locale);
    let minutes = labels["minutes"].as_str().unwrap_or("min").to_string();
    let closed = labels["closed"].as_str().unwrap_or("Closed").to_string();
    let d = &site.data;
    let services: Vec<Value> = d
        .services
        .iter()
        .map(|s| service_view(s, &minutes, d))
        .collect();
    let pages: Vec<Value> = site
        .pages
        .iter()
        .map(|page| {
            let blocks: Vec<Value> = page
                .blocks
                .iter()
                .filter(|b| !b.hidden)
                .map(|b| block_view(b, d, &services, site.locale))
                .collect();
            json!({"id": page.id, "title": page.title, "blocks": blocks})
        })
        .collect();
    let (hours, booking_weekly, booking_exceptions) = hours_view(d, &labels, &closed);
    let location = d.location.as_ref().map(|l| {
        json!({
            "name": l.name, "address": l.address, "latitude": l.latitude, "longitude": l.longitude,
            "markers": [{"id": 1, "latitude": l.latitude, "longitude": l.longitude, "title": l.name, "width": 30, "height": 40}],
        })
    });
    let products: Map<String, Value> = d
        .products
        .iter()
        .map(|p| (p.id.clone(), product_detail(p, site.locale)))
        .collect();
    json!({
        "name": site.name,
        "api_base": site.api_base.clone().unwrap_or_default(),
        "tab_pages": site.tab_bar.as_ref().map(|t| t.items.iter().map(|i| i.page.clone()).collect::<Vec<_>>()).unwrap_or_default(),
        "labels": labels,
        "pages": pages,
        "products": products,
        "hours": hours.unwrap_or_else(|| json!({"rows": [], "exceptions": []})),
        "location": location.unwrap_or_else(|| json!({"name": "", "address": "", "latitude": 0, "longitude": 0, "markers": []})),
        "contact": {
            "name": site.name, "logo": site.logo.clone().unwrap_or_default(),
            "phone": d.contact.phone, "wechat": d.contact.wechat, "email": d.contact.email,
            "phone_digits": d.contact.phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect::<String>(),
        },
        "gallery": d.gallery,
        "booking": {"services": services, "weekly": booking_weekly, "exceptions": booking_exceptions},
    })
}
