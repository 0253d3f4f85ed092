//! `/merchants/:id/inbox`: what the merchant's mini programs brought in. Orders (what waits
//! first, with Accept, Ready, Complete and Cancel with a reason), bookings (the coming ones
//! first, with Complete, Missed and Cancel), a day or week calendar of bookings per staff
//! member, each site's rules (cancellation deadline, delivery, subscribe messages) and CSV
//! exports. Server-rendered with plain forms; `public/inbox.js` polls the inbox's stamp and
//! brings in what arrives without a reload.
use crate::api::get_inbox;
use crate::components::feedback::{set_http_status, ErrorAlert, ErrorPage, Loading};
use crate::components::outcome::{refused_field, refused_value, use_outcome, FormOutcome};
use crate::components::session::{use_session, CsrfField};
use crate::i18n::{tr, Lang};
use crate::model::inbox::{BookingRow, InboxView, OrderRow, SiteRules, Tab};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_params_map, use_query_map};

/// A state in the reader's words.
pub fn status_label(status: &str, lang: Lang) -> &'static str {
    match status {
        "received" => tr(lang, "New", "新订单"),
        "accepted" => tr(lang, "Accepted", "已接单"),
        "ready" => tr(lang, "Ready", "已备好"),
        "completed" => tr(lang, "Completed", "已完成"),
        "cancelled" => tr(lang, "Cancelled", "已取消"),
        "confirmed" => tr(lang, "Confirmed", "已确认"),
        "no_show" => tr(lang, "Missed", "未到店"),
        _ => "",
    }
}

fn yuan(fen: u64) -> String {
    format!("¥{}.{:02}", fen / 100, fen % 100)
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let s = use_session();
    let lang = s.lang;
    if s.user.is_none() {
        return view! { <Redirect path="/login"/> }.into_any();
    }
    let id = use_params_map()
        .read_untracked()
        .get("id")
        .unwrap_or_default();
    let q = use_query_map().read_untracked();
    let tab = q.get("tab").unwrap_or_default();
    let day = q.get("day").unwrap_or_default();
    let week = q.get("span").as_deref() == Some("week");
    let done = (q.get("done"), q.get("n"));
    let inbox = Resource::new_blocking(
        move || (id.clone(), tab.clone(), day.clone(), week),
        |(id, tab, day, week)| get_inbox(id, tab, day, week),
    );
    let csrf = s.csrf.clone();
    view! {
        <Suspense fallback=Loading>
            {move || {
                let (csrf, done) = (csrf.clone(), done.clone());
                Suspend::new(async move {
                    match inbox.await {
                        Ok(v) => view! { <Inbox v csrf lang done week/> }.into_any(),
                        Err(error) => view! { <ErrorPage error lang/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Inbox(
    v: InboxView,
    csrf: String,
    lang: Lang,
    done: (Option<String>, Option<String>),
    week: bool,
) -> impl IntoView {
    let t = move |en, zh| tr(lang, en, zh);
    let query = use_query_map().read_untracked();
    let tab = Tab::parse(&query.get("tab").unwrap_or_default());
    let base = format!("/merchants/{}/inbox", v.merchant_id);
    let c = &v.counts;
    let summary = match lang {
        Lang::Zh => format!(
            "{} 个新订单,{} 个处理中;今天 {} 个预约,共 {} 个待到店",
            c.new_orders, c.open_orders, c.bookings_today, c.upcoming_bookings
        ),
        Lang::En => format!(
            "{} new orders, {} under way; {} bookings today, {} to come",
            c.new_orders, c.open_orders, c.bookings_today, c.upcoming_bookings
        ),
    };
    let tab_link = |which: Tab, label: &'static str| {
        let current = (which == tab).then_some("page");
        view! { <a href=format!("{base}?tab={}", which.slug()) class="tab" aria-current=current>{label}</a> }
    };
    let notice = match done {
        (Some(action), number) => {
            let what = match action.as_str() {
                "accept" => t("accepted", "已接单"),
                "ready" => t("marked ready", "已标记为备好"),
                "complete" => t("completed", "已完成"),
                "cancel" => t("cancelled", "已取消"),
                "no_show" => t("marked as missed", "已标记为未到店"),
                "saved" => t("Saved.", "已保存。"),
                _ => "",
            };
            let text = match number {
                Some(n) => format!("{n}: {what}"),
                None => what.to_string(),
            };
            Some(view! { <p class="alert alert-ok" role="status">{text}</p> })
        }
        _ => None,
    };
    let refused = match use_outcome() {
        Some(FormOutcome::Refused { error, values })
            if !values.iter().any(|(k, v)| k == "form" && v == "rules") =>
        {
            set_http_status(error.status());
            Some(view! { <ErrorAlert error lang/> })
        }
        _ => None,
    };
    let body = match tab {
        Tab::Orders => view! { <Orders v=v.clone() csrf=csrf.clone() lang/> }.into_any(),
        Tab::Bookings => view! { <Bookings v=v.clone() csrf=csrf.clone() lang/> }.into_any(),
        Tab::Calendar => view! { <Calendar v=v.clone() lang week/> }.into_any(),
        Tab::Settings => view! { <Rules v=v.clone() csrf=csrf.clone() lang/> }.into_any(),
    };
    let title = t("Orders and bookings", "订单与预约");
    view! {
        <Title text=format!("{title} · {}", v.merchant_name)/>
        <a class="back" href=format!("/merchants/{}", v.merchant_id)>"← "{v.merchant_name.clone()}</a>
        <div class="page-head">
            <div>
                <p class="eyebrow">{v.merchant_name.clone()}</p>
                <h1>{title}</h1>
                <p class="muted" id="inbox-counts" role="status">{summary}</p>
            </div>
            <div class="actions">
                <a class="btn" href=format!("{base}/orders.csv") download="">{t("Orders (CSV)", "订单(CSV)")}</a>
                <a class="btn" href=format!("{base}/bookings.csv") download="">{t("Bookings (CSV)", "预约(CSV)")}</a>
            </div>
        </div>
        <nav class="tabs" aria-label=t("Inbox", "收件箱")>
            {tab_link(Tab::Orders, t("Orders", "订单"))}
            {tab_link(Tab::Bookings, t("Bookings", "预约"))}
            {tab_link(Tab::Calendar, t("Calendar", "日历"))}
            {tab_link(Tab::Settings, t("Rules and messages", "规则与通知"))}
        </nav>
        {notice}
        {refused}
        <p id="inbox-fresh" class="alert alert-ok" role="status" hidden>
            {t("Something new arrived.", "有新内容。")}" "
            <a href="">{t("Show it", "查看")}</a>
        </p>
        <section id="inbox" data-stamp=v.stamp.clone() data-merchant=v.merchant_id.clone()
            data-waiting=v.counts.new_orders.to_string()
            data-title=title aria-live="polite">
            {body}
        </section>
        <script src="/inbox.js" defer></script>
    }
}

/// A one-button form moving an order or booking on.
#[component]
fn Act(
    merchant_id: String,
    csrf: String,
    kind: &'static str,
    site: String,
    item: String,
    action: &'static str,
    label: &'static str,
    tab: &'static str,
    #[prop(optional)] primary: bool,
) -> impl IntoView {
    view! {
        <form method="post" action=format!("/merchants/{merchant_id}/inbox?tab={tab}") class="inline">
            <CsrfField token=csrf/>
            <input type="hidden" name="kind" value=kind/>
            <input type="hidden" name="site" value=site/>
            <input type="hidden" name="item" value=item/>
            <input type="hidden" name="action" value=action/>
            <input type="hidden" name="tab" value=tab/>
            <button type="submit" class=if primary { "btn btn-small btn-primary" } else { "btn btn-small" }>{label}</button>
        </form>
    }
}

/// Cancel with a reason the customer reads.
#[component]
fn CancelForm(
    merchant_id: String,
    csrf: String,
    kind: &'static str,
    site: String,
    item: String,
    tab: &'static str,
    lang: Lang,
) -> impl IntoView {
    let t = move |en, zh| tr(lang, en, zh);
    let field_id = format!("reason-{item}");
    view! {
        <details class="cancel">
            <summary class="btn btn-small danger">{t("Cancel…", "取消…")}</summary>
            <form method="post" action=format!("/merchants/{merchant_id}/inbox?tab={tab}")>
                <CsrfField token=csrf/>
                <input type="hidden" name="kind" value=kind/>
                <input type="hidden" name="site" value=site/>
                <input type="hidden" name="item" value=item/>
                <input type="hidden" name="action" value="cancel"/>
                <input type="hidden" name="tab" value=tab/>
                <label for=field_id.clone()>{t("Why (the customer sees it)", "原因(顾客可见)")}</label>
                <input id=field_id name="reason" type="text" required maxlength="200"/>
                <button type="submit" class="btn btn-small btn-danger">{t("Cancel it", "确认取消")}</button>
            </form>
        </details>
    }
}

fn badges(status: &str, test: bool, lang: Lang) -> impl IntoView {
    view! {
        <span class=format!("badge status-{status}")>{status_label(status, lang)}</span>
        {test.then(|| view! { <span class="badge badge-test">{tr(lang, "Test", "测试")}</span> })}
    }
}

#[component]
fn Orders(v: InboxView, csrf: String, lang: Lang) -> impl IntoView {
    let t = move |en, zh| tr(lang, en, zh);
    if v.orders.is_empty() {
        return view! { <p class="empty card">{t("No orders yet. They appear here as they arrive.", "还没有订单,新订单会出现在这里。")}</p> }.into_any();
    }
    let m = v.merchant_id.clone();
    let card = move |o: OrderRow| {
        let act = |action: &'static str, label: &'static str, primary: bool| {
            view! { <Act merchant_id=m.clone() csrf=csrf.clone() kind="order" site=o.site_id.clone()
            item=o.id.clone() action label tab="orders" primary/> }
        };
        let actions = match o.status.as_str() {
            "received" => Some(view! { {act("accept", t("Accept", "接单"), true)} }.into_any()),
            "accepted" => Some(
                view! {
                    {act("ready", t("Mark ready", "标记为备好"), true)}
                    {act("complete", t("Complete", "完成"), false)}
                }
                .into_any(),
            ),
            "ready" => Some(view! { {act("complete", t("Complete", "完成"), true)} }.into_any()),
            _ => None,
        };
        let open = actions.is_some();
        let cancel = open.then(|| view! {
            <CancelForm merchant_id=m.clone() csrf=csrf.clone() kind="order" site=o.site_id.clone()
                item=o.id.clone() tab="orders" lang/>
        });
        let lines = o
            .lines
            .iter()
            .map(|l| view! { <li>{l.clone()}</li> })
            .collect_view();
        let fulfil = if o.delivery {
            format!("{}: {}", t("Delivery", "外送"), o.address)
        } else {
            t("Pickup", "到店自取").to_string()
        };
        view! {
            <li class=if open { "card order open" } else { "card order" } data-order=o.order_id.clone()>
                <div class="order-head">
                    <h3>{o.order_id.clone()}</h3>
                    {badges(&o.status, o.test, lang)}
                    <span class="muted">{o.placed.clone()}" · "{o.site_name.clone()}</span>
                </div>
                <p><strong>{o.name.clone()}</strong>" · "<a href=format!("tel:{}", o.phone.replace(' ', ""))>{o.phone.clone()}</a>" · "{fulfil}</p>
                <ul class="lines">{lines}</ul>
                <p class="total">{t("Total", "合计")}" "{yuan(o.total)}</p>
                {(!o.note.is_empty()).then(|| view! { <p class="note">{t("Note: ", "备注:")}{o.note.clone()}</p> })}
                {o.reason.clone().map(|r| view! { <p class="muted">{t("Reason: ", "原因:")}{r}</p> })}
                {o.notices.iter().map(|n| view! { <p class="hint">{n.clone()}</p> }).collect_view()}
                <div class="actions">{actions}{cancel}</div>
            </li>
        }
    };
    let items = v.orders.into_iter().map(card).collect_view();
    view! { <ul class="inbox-list" aria-label=t("Orders", "订单")>{items}</ul> }.into_any()
}

#[component]
fn Bookings(v: InboxView, csrf: String, lang: Lang) -> impl IntoView {
    let t = move |en, zh| tr(lang, en, zh);
    if v.bookings.is_empty() {
        return view! { <p class="empty card">{t("No bookings yet. They appear here as they arrive.", "还没有预约,新预约会出现在这里。")}</p> }.into_any();
    }
    let m = v.merchant_id.clone();
    let row = move |b: BookingRow| {
        let open = b.status == "confirmed";
        let act = |action: &'static str, label: &'static str| {
            view! { <Act merchant_id=m.clone() csrf=csrf.clone() kind="booking" site=b.site_id.clone()
            item=b.id.clone() action label tab="bookings"/> }
        };
        let actions = open.then(|| view! {
            {act("complete", t("Complete", "完成"))}
            {act("no_show", t("Missed", "未到店"))}
            <CancelForm merchant_id=m.clone() csrf=csrf.clone() kind="booking" site=b.site_id.clone()
                item=b.id.clone() tab="bookings" lang/>
        });
        view! {
            <tr data-booking=b.booking_id.clone()>
                <td>{format!("{} {}–{}", b.date, b.time, b.end)}</td>
                <td>{b.service_name.clone()}<br/><span class="muted">{b.site_name.clone()}</span></td>
                <td>{b.staff_name.clone()}</td>
                <td>{b.name.clone()}<br/><a href=format!("tel:{}", b.phone.replace(' ', ""))>{b.phone.clone()}</a></td>
                <td>{badges(&b.status, b.test, lang)}
                    {b.reason.clone().map(|r| view! { <br/><span class="muted">{r}</span> })}
                    {b.notices.iter().map(|n| view! { <br/><span class="hint">{n.clone()}</span> }).collect_view()}</td>
                <td class="actions">{actions}</td>
            </tr>
        }
    };
    let rows = v.bookings.into_iter().map(row).collect_view();
    view! {
        <div class="table-wrap">
            <table aria-label=t("Bookings", "预约")>
                <thead><tr>
                    <th scope="col">{t("When", "时间")}</th>
                    <th scope="col">{t("Service", "服务")}</th>
                    <th scope="col">{t("Staff", "员工")}</th>
                    <th scope="col">{t("Customer", "顾客")}</th>
                    <th scope="col">{t("State", "状态")}</th>
                    <th scope="col">{t("Actions", "操作")}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn Calendar(v: InboxView, lang: Lang, week: bool) -> impl IntoView {
    let t = move |en, zh| tr(lang, en, zh);
    let base = format!("/merchants/{}/inbox?tab=calendar", v.merchant_id);
    let span = if week { "&span=week" } else { "" };
    let first = v.days.first().map(|d| d.date.clone()).unwrap_or_default();
    let weekdays = [
        t("Mon", "周一"),
        t("Tue", "周二"),
        t("Wed", "周三"),
        t("Thu", "周四"),
        t("Fri", "周五"),
        t("Sat", "周六"),
        t("Sun", "周日"),
    ];
    // One row per staff member, and one for bookings without (a shop without staff).
    let mut people: Vec<(Option<String>, String)> = v
        .staff
        .iter()
        .map(|(id, name)| (Some(id.clone()), name.clone()))
        .collect();
    if v.bookings.iter().any(|b| b.staff.is_none()) || people.is_empty() {
        people.push((None, t("Anyone", "不指定").to_string()));
    }
    let head = v
        .days
        .iter()
        .map(|d| {
            view! { <th scope="col" class=if d.closed { "closed" } else { "" }>
                {weekdays[usize::from(d.weekday.min(6))]}" "{d.date.get(5..).unwrap_or_default().to_string()}
                {d.closed.then(|| view! { <br/><span class="muted">{t("Closed", "休息")}</span> })}
            </th> }
        })
        .collect_view();
    let rows = people
        .into_iter()
        .map(|(id, name)| {
            let cells = v
                .days
                .iter()
                .map(|d| {
                    let mut theirs: Vec<&BookingRow> = v
                        .bookings
                        .iter()
                        .filter(|b| b.date == d.date && b.staff == id)
                        .collect();
                    theirs.sort_by(|a, b| a.time.cmp(&b.time));
                    let items = theirs
                        .into_iter()
                        .map(|b| {
                            view! { <li class=format!("slot status-{}", b.status)>
                                <strong>{format!("{}–{}", b.time, b.end)}</strong>" "{b.service_name.clone()}
                                <br/>{b.name.clone()}
                            </li> }
                        })
                        .collect_view();
                    view! { <td><ul class="day-slots">{items}</ul></td> }
                })
                .collect_view();
            view! { <tr><th scope="row">{name}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <div class="calendar-nav">
            <a class="btn btn-small" href=format!("{base}{span}&day={}", v.earlier)>{t("← Earlier", "← 往前")}</a>
            <a class="btn btn-small" href=format!("{base}{span}")>{t("Today", "今天")}</a>
            <a class="btn btn-small" href=format!("{base}{span}&day={}", v.later)>{t("Later →", "往后 →")}</a>
            <a class="btn btn-small" href=format!("{base}&day={first}") aria-current=(!week).then_some("page")>{t("Day", "日")}</a>
            <a class="btn btn-small" href=format!("{base}&span=week&day={first}") aria-current=week.then_some("page")>{t("Week", "周")}</a>
        </div>
        <div class="table-wrap">
            <table class="calendar" aria-label=t("Bookings by staff member", "按员工排列的预约")>
                <thead><tr><th scope="col">{t("Staff", "员工")}</th>{head}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn Rules(v: InboxView, csrf: String, lang: Lang) -> impl IntoView {
    let t = move |en, zh| tr(lang, en, zh);
    let outcome = use_outcome();
    let refused_site = refused_value(&outcome, "site");
    if let Some(FormOutcome::Refused { error, .. }) = &outcome {
        set_http_status(error.status());
    }
    if v.rules.is_empty() {
        return view! { <p class="empty card">{t("No sites yet.", "还没有网站。")}</p> }.into_any();
    }
    let action = format!("/merchants/{}/inbox?tab=settings", v.merchant_id);
    let form = move |r: SiteRules| {
        // The refused form shows what was typed, and why.
        let mine = refused_site == r.site_id;
        let value = |name: &str, saved: String| {
            if mine {
                refused_value(&outcome, name)
            } else {
                saved
            }
        };
        let error = |name: &str| {
            mine.then(|| refused_field(&outcome, name))
                .flatten()
                .map(|e| view! { <p class="field-error" role="alert">{e.message(lang)}</p> })
        };
        let id = |f: &str| format!("{f}-{}", r.site_id);
        let hours = value(
            "cancel_before_hours",
            (r.cancel_before_min / 60).to_string(),
        );
        let help = t(
            "One keyword per line, as keyword=field. Fields: number, status, items, amount, time, shop, note. Copy the keywords (e.g. character_string1, phrase2, thing3) from the template in the mini program's admin → Subscribe messages.",
            "每行一个关键词,格式为 关键词=内容。内容可选:number(编号)、status(状态)、items(商品或服务)、amount(金额)、time(时间)、shop(店名)、note(备注)。关键词(如 character_string1、phrase2、thing3)请从小程序后台 → 订阅消息中的模板复制。",
        );
        view! {
            <section class="card rules" aria-labelledby=id("rules-title")>
                <h2 id=id("rules-title")>{r.site_name.clone()}</h2>
                <form method="post" action=action.clone()>
                    <CsrfField token=csrf.clone()/>
                    <input type="hidden" name="form" value="rules"/>
                    <input type="hidden" name="site" value=r.site_id.clone()/>
                    {r.books.then(|| view! {
                        <label for=id("cancel")>{t("Customers may cancel a booking up to (hours before)", "顾客可在预约开始前多少小时内取消")}</label>
                        <input id=id("cancel") name="cancel_before_hours" type="number" min="0" max="168" required value=hours.clone()/>
                        {error("cancel_before_hours")}
                    })}
                    {(!r.books).then(|| view! { <input type="hidden" name="cancel_before_hours" value=hours.clone()/> })}
                    {r.sells.then(|| view! {
                        <label class="check"><input type="checkbox" name="delivery" checked=r.delivery/>" "{t("We deliver (customers may choose delivery with an address)", "提供外送(顾客可选择外送并填写地址)")}</label>
                        <label for=id("ot")>{t("Order message template id (accepted, ready)", "订单通知模板 ID(已接单、已备好)")}</label>
                        <input id=id("ot") name="order_template" type="text" maxlength="64" value=value("order_template", r.order_template.clone())/>
                        {error("order_template")}
                        <label for=id("of")>{t("Order message keywords", "订单通知关键词")}</label>
                        <textarea id=id("of") name="order_fields" rows="4">{value("order_fields", r.order_fields.clone())}</textarea>
                        {error("order_fields")}
                    })}
                    {r.books.then(|| view! {
                        <label for=id("bt")>{t("Booking message template id (confirmed, cancelled)", "预约通知模板 ID(已确认、已取消)")}</label>
                        <input id=id("bt") name="booking_template" type="text" maxlength="64" value=value("booking_template", r.booking_template.clone())/>
                        {error("booking_template")}
                        <label for=id("bf")>{t("Booking message keywords", "预约通知关键词")}</label>
                        <textarea id=id("bf") name="booking_fields" rows="4">{value("booking_fields", r.booking_fields.clone())}</textarea>
                        {error("booking_fields")}
                    })}
                    <p class="hint">{help}</p>
                    <button type="submit" class="btn btn-primary">{t("Save", "保存")}</button>
                </form>
            </section>
        }
    };
    v.rules.into_iter().map(form).collect_view().into_any()
}
