//! The agency dashboard's rows: one per site, with where it stands in WeChat, and the query
//! (search, filter, sort, page) the dashboard is asked with. The server keeps the rows
//! (`server/src/dashboard.rs`); this is what crosses the wire.
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// Rows shown per page.
pub const PAGE: usize = 50;

/// Where a site stands, one word per filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// No mini program connected (or its authorization was withdrawn).
    NotConnected,
    /// Connected, never published.
    Draft,
    /// A publish is under way (checks, upload, privacy scan).
    Publishing,
    InReview,
    /// Approved, waiting to be released.
    Approved,
    Rejected,
    /// The last publish stopped with an error.
    Failed,
    Live,
}

impl State {
    pub const ALL: [State; 8] = [
        State::NotConnected,
        State::Draft,
        State::Publishing,
        State::InReview,
        State::Approved,
        State::Rejected,
        State::Failed,
        State::Live,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            State::NotConnected => "not_connected",
            State::Draft => "draft",
            State::Publishing => "publishing",
            State::InReview => "in_review",
            State::Approved => "approved",
            State::Rejected => "rejected",
            State::Failed => "failed",
            State::Live => "live",
        }
    }

    pub fn from_slug(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.slug() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (en, zh) = match self {
            State::NotConnected => ("Not connected", "未连接"),
            State::Draft => ("Not published", "未发布"),
            State::Publishing => ("Publishing", "发布中"),
            State::InReview => ("In review", "审核中"),
            State::Approved => ("Approved", "审核通过"),
            State::Rejected => ("Rejected", "审核未通过"),
            State::Failed => ("Failed", "发布失败"),
            State::Live => ("Live", "已上线"),
        };
        if lang == Lang::Zh {
            zh
        } else {
            en
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub site_id: String,
    pub merchant_id: String,
    pub merchant_name: String,
    pub merchant_login: String,
    pub merchant_paused: bool,
    pub site_name: String,
    pub template: String,
    pub archived: bool,
    pub appid: Option<String>,
    pub mini_program: Option<String>,
    pub state: State,
    pub live_version: Option<u64>,
    pub live_user_version: Option<String>,
    /// RFC 3339.
    pub released_at: Option<String>,
    pub review_reason: Option<String>,
    /// The last publish's error, in both languages (en, zh).
    pub error: Option<(String, String)>,
    /// The draft differs from what is live (always false before the first release).
    pub draft_changed: bool,
    /// What the draft must fix before it can be exported or published.
    pub problems: usize,
    /// RFC 3339: the site record's last change (its draft's last save).
    pub updated_at: String,
}

/// What the dashboard asks for.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Query {
    /// Words found in the merchant's or site's name, login or AppID.
    #[serde(default)]
    pub q: String,
    /// A [`State`] slug, or `changed` (the draft differs from what is live), or `problems`.
    #[serde(default)]
    pub state: String,
    /// `merchant` (the default), `site`, `state`, `published`, `updated`; `-` first for
    /// descending.
    #[serde(default)]
    pub sort: String,
    /// From 1.
    #[serde(default)]
    pub page: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page {
    pub rows: Vec<Row>,
    /// Rows the filter matches.
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    /// Sites in each state (of all the agency's sites, not just the filter's).
    pub counts: Vec<(State, usize)>,
    pub changed: usize,
    pub with_problems: usize,
    pub all: usize,
}

impl Query {
    pub fn matches(&self, r: &Row) -> bool {
        let state_ok = match self.state.as_str() {
            "" | "all" => true,
            "changed" => r.draft_changed,
            "problems" => r.problems > 0,
            s => State::from_slug(s) == Some(r.state),
        };
        if !state_ok {
            return false;
        }
        let q = self.q.trim().to_lowercase();
        q.is_empty()
            || q.split_whitespace().all(|w| {
                r.merchant_name.to_lowercase().contains(w)
                    || r.site_name.to_lowercase().contains(w)
                    || r.merchant_login.contains(w)
                    || r.appid.as_deref().is_some_and(|a| a.contains(w))
                    || r.mini_program
                        .as_deref()
                        .is_some_and(|m| m.to_lowercase().contains(w))
            })
    }

    /// The rows it matches, in its order (all of them: bulk actions on a filter).
    pub fn select(&self, mut all: Vec<Row>) -> Vec<Row> {
        all.retain(|r| self.matches(r));
        let (desc, by) = match self.sort.strip_prefix('-') {
            Some(by) => (true, by),
            None => (false, self.sort.as_str()),
        };
        let name = |r: &Row| (r.merchant_name.to_lowercase(), r.site_name.to_lowercase());
        match by {
            "site" => all.sort_by_cached_key(|r| (r.site_name.to_lowercase(), r.site_id.clone())),
            "state" => all.sort_by_cached_key(|r| (r.state, name(r))),
            "published" => all.sort_by_cached_key(|r| (r.released_at.clone(), name(r))),
            "updated" => all.sort_by(|a, b| {
                a.updated_at
                    .cmp(&b.updated_at)
                    .then_with(|| a.site_id.cmp(&b.site_id))
            }),
            _ => all.sort_by_cached_key(|r| (name(r), r.site_id.clone())),
        }
        if desc {
            all.reverse();
        }
        all
    }
}

/// A bulk job as its page shows it: the action, its progress and every site's state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobView {
    pub id: String,
    /// `publish`, `release`, `rollback`, `regenerate` or `theme`.
    pub action: String,
    /// `queued`, `running`, `done` or `cancelled`.
    pub state: String,
    pub done: usize,
    pub failed: usize,
    pub cancelled: usize,
    pub total: usize,
    pub by: String,
    pub created_at: String,
    pub finished_at: Option<String>,
    /// An export whose zip of packages is ready.
    #[serde(default)]
    pub has_packages: bool,
    pub items: Vec<JobItemView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobItemView {
    pub site_id: String,
    pub name: String,
    /// `queued`, `running`, `done`, `failed` or `cancelled`.
    pub state: String,
    pub attempts: u32,
    pub result: Option<String>,
    pub errcode: Option<i64>,
    /// In the reader's language.
    pub error: Option<String>,
}

impl JobView {
    pub fn is_final(&self) -> bool {
        self.state == "done" || self.state == "cancelled"
    }

    /// The action's name for a heading.
    pub fn title(&self, lang: Lang) -> &'static str {
        action_label(&self.action, lang)
    }
}

/// A bulk action's name, as a button or a heading says it.
pub fn action_label(action: &str, lang: Lang) -> &'static str {
    let (en, zh) = match action {
        "publish" => ("Publish", "发布"),
        "release" => ("Release", "上线"),
        "rollback" => ("Roll back", "回退"),
        "regenerate" => ("Regenerate", "重新生成"),
        "theme" => ("Theme change", "修改主题"),
        "export" => ("Export", "导出"),
        _ => ("Bulk action", "批量操作"),
    };
    if lang == Lang::Zh {
        zh
    } else {
        en
    }
}

/// A job in the dashboard's list of recent ones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobSummary {
    pub id: String,
    pub action: String,
    pub state: String,
    pub done: usize,
    pub failed: usize,
    pub total: usize,
    pub created_at: String,
}

/// Everything the dashboard shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    pub page: Page,
    pub query: Query,
    pub jobs: Vec<JobSummary>,
}
