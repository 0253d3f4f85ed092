//! Bulk actions on many sites: one durable job per action ([`crate::jobs::Kind::Batch`]) whose
//! items (one per site, with state, attempts and the last error in both languages) live in a
//! store document written by compare-and-swap. The job works a few items at a time (WeChat's
//! quotas), one failing site never stops the others, and a job taken over after a restart
//! resumes from the document: an item is marked started before it is acted on, and a publish
//! item keeps the id of the run it began, so no site is committed or submitted twice.
use crate::jobs::backoff;

use crate::state::AppState;
use crate::storage::{now_rfc3339, Doc, Expect, JobOutcome, Store, StoreError};
use app::error::AppError;
use app::i18n::Lang;
use app::model::publish::Bilingual;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use ulid::Ulid;

mod items;
mod theme;

pub use items::export_key;
use items::{act, bundle, follow_publish, Outcome};
pub use theme::ThemeChange;

pub const BATCH: &str = "batch";
/// Items of one batch under way at once. A publish item mostly waits (WeChat's privacy scan
/// takes about a minute), so this bounds the calls in flight more than the time taken.
pub const CONCURRENCY: usize = 10;
/// Sites one batch may name.
pub const MAX_ITEMS: usize = 10_000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// The one-click publish; an item is done once WeChat has the version in review (or it
    /// is released).
    Publish,
    /// Release approved versions.
    Release,
    /// Roll the live version back to the one before.
    Rollback,
    /// Build every package again.
    Regenerate,
    /// Apply theme settings to the drafts; each draft is kept as a version first (undo).
    Theme(ThemeChange),
    /// Build every package, each recorded as an export version, into one zip to download.
    Export,
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Publish => "publish",
            Action::Release => "release",
            Action::Rollback => "rollback",
            Action::Regenerate => "regenerate",
            Action::Theme(_) => "theme",
            Action::Export => "export",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
}

impl ItemState {
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ItemState::Done | ItemState::Failed | ItemState::Cancelled
        )
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub site_id: Ulid,
    /// The site's name when the batch was made (for the report).
    #[serde(default)]
    pub name: String,
    pub state: ItemState,
    #[serde(default)]
    pub attempts: u32,
    #[serde(default)]
    pub error: Option<Bilingual>,
    #[serde(default)]
    pub errcode: Option<i64>,
    /// A publish item: the run it began.
    #[serde(default)]
    pub run_id: Option<String>,
    /// What it came to ("in_review", "released", a version number…).
    #[serde(default)]
    pub result: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    pub id: Ulid,
    pub agency_id: Ulid,
    #[serde(flatten)]
    pub action: Action,
    /// Who asked (a login, or `api:NAME` for a token).
    pub by: String,
    pub created_at: String,
    #[serde(default)]
    pub cancelled: bool,
    #[serde(default)]
    pub finished_at: Option<String>,
    /// An export's zip of every package, once made (blob key).
    #[serde(default)]
    pub download: Option<String>,
    pub items: Vec<Item>,
}

impl Batch {
    pub fn state(&self) -> &'static str {
        if self.items.iter().all(|i| i.state.is_final()) {
            if self.cancelled {
                "cancelled"
            } else {
                "done"
            }
        } else if self.items.iter().all(|i| i.state == ItemState::Queued) {
            "queued"
        } else {
            "running"
        }
    }

    pub fn count(&self, state: ItemState) -> usize {
        self.items.iter().filter(|i| i.state == state).count()
    }
}

pub async fn load(store: &dyn Store, id: Ulid) -> Result<Option<(Batch, u64)>, StoreError> {
    match store.doc(BATCH, &id.to_string()).await? {
        Some(d) => Ok(Some((d.read()?, d.rev))),
        None => Ok(None),
    }
}

/// The agency's batch `id`; another agency's is not found.
pub async fn of_agency(
    store: &dyn Store,
    agency: Ulid,
    id: &str,
) -> Result<Batch, crate::error::Error> {
    let id: Ulid = id.parse().map_err(|_| AppError::NotFound)?;
    match load(store, id).await? {
        Some((b, _)) if b.agency_id == agency => Ok(b),
        _ => Err(AppError::NotFound.into()),
    }
}

/// Changes the batch with `f` over the latest stored one (retrying when another writer got
/// there first).
pub(super) async fn update<T>(
    store: &dyn Store,
    id: Ulid,
    mut f: impl FnMut(&mut Batch) -> T,
) -> Result<(T, Batch), StoreError> {
    loop {
        let (mut b, rev) = load(store, id).await?.ok_or(StoreError::Stale)?;
        let out = f(&mut b);
        let body = serde_json::to_value(&b).map_err(StoreError::Encode)?;
        match store
            .put_doc(
                &Doc::new(BATCH, id.to_string(), b.agency_id, body),
                Expect::Rev(rev),
            )
            .await
        {
            Ok(_) => return Ok((out, b)),
            Err(StoreError::Stale) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Queues `action` on `sites` (each already checked to be the agency's) as one job.
pub async fn start(
    store: &dyn Store,
    agency: Ulid,
    action: Action,
    sites: Vec<(Ulid, String)>,
    by: &str,
) -> Result<Batch, StoreError> {
    let id = crate::storage::tree::new_id();
    let mut seen = std::collections::HashSet::new();
    let batch = Batch {
        id,
        agency_id: agency,
        action,
        by: by.into(),
        created_at: now_rfc3339(),
        cancelled: false,
        finished_at: None,
        download: None,
        items: sites
            .into_iter()
            .filter(|(s, _)| seen.insert(*s))
            .map(|(site_id, name)| Item {
                site_id,
                name,
                state: ItemState::Queued,
                attempts: 0,
                error: None,
                errcode: None,
                run_id: None,
                result: None,
            })
            .collect(),
    };
    let body = serde_json::to_value(&batch).map_err(StoreError::Encode)?;
    store
        .put_doc(
            &Doc::new(BATCH, id.to_string(), agency, body),
            Expect::Absent,
        )
        .await?;
    let kind = crate::jobs::Kind::Batch { batch_id: id };
    store
        .enqueue_job(&crate::storage::NewJob {
            agency_id: agency,
            kind: kind.name().into(),
            payload: serde_json::to_value(&kind).map_err(StoreError::Encode)?,
            dedupe_key: Some(format!("batch:{id}")),
            // Each claim is one look at the items; a publish batch waits for WeChat's privacy
            // scans, so it is looked at many times.
            max_attempts: 1_000_000,
        })
        .await?;
    store.flush().await?;
    Ok(batch)
}

/// Cancels what has not started; what is under way finishes.
pub async fn cancel(
    store: &dyn Store,
    agency: Ulid,
    id: &str,
) -> Result<Batch, crate::error::Error> {
    let b = of_agency(store, agency, id).await?;
    let (_, b) = update(store, b.id, |b| {
        b.cancelled = true;
        for i in b.items.iter_mut().filter(|i| i.state == ItemState::Queued) {
            i.state = ItemState::Cancelled;
        }
    })
    .await?;
    Ok(b)
}

/// The agency's batches, newest first.
pub async fn list(store: &dyn Store, agency: Ulid, limit: usize) -> Result<Vec<Batch>, StoreError> {
    let jobs = store.agency_jobs(agency, limit * 4).await?;
    let mut out = Vec::new();
    for j in jobs.iter().filter(|j| j.kind == "batch") {
        if let Ok(crate::jobs::Kind::Batch { batch_id }) = serde_json::from_value(j.payload.clone())
        {
            if let Some((b, _)) = load(store, batch_id).await? {
                out.push(b);
            }
        }
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

/// One look at the batch: items under way are followed, free places are filled. Done when
/// every item is final; otherwise asked again shortly.
///
/// Actions done here (all but publish) go on from one look to the next while there is work,
/// for up to [`SLICE`] per claim; a publish waits for its runs (other jobs), so it is looked
/// at again after a short pause.
pub async fn run_job(state: &AppState, id: Ulid, attempt: u32) -> JobOutcome {
    let began = std::time::Instant::now();
    loop {
        match step(state, id).await {
            Ok(Looked::Done) => return JobOutcome::Done(serde_json::json!({"batch": id})),
            Ok(Looked::Waiting { inline }) => {
                if inline && began.elapsed() < SLICE {
                    continue;
                }
                return JobOutcome::Retry {
                    error: "waiting for sites under way".into(),
                    retry_in: if inline {
                        Duration::ZERO
                    } else {
                        Duration::from_millis(500)
                    },
                };
            }
            Err(e) => {
                return JobOutcome::Retry {
                    error: e.to_string(),
                    retry_in: backoff(attempt.min(5)),
                }
            }
        }
    }
}

/// How long one claim of a batch works before handing the job back to the queue.
const SLICE: Duration = Duration::from_secs(20);

/// What one look at a batch found.
enum Looked {
    /// Every item is final.
    Done,
    /// Items are left; `inline` when this job does them itself (all but publish).
    Waiting { inline: bool },
}

async fn step(state: &AppState, id: Ulid) -> Result<Looked, StoreError> {
    let store = &*state.store;
    let Some((b, _)) = load(store, id).await? else {
        return Ok(Looked::Done);
    };
    // Publish items under way: their run says how they are doing.
    if b.action == Action::Publish {
        for item in b.items.iter().filter(|i| i.state == ItemState::Running) {
            follow_publish(state, &b, item).await?;
        }
    }
    // Other items found running were left by a worker that stopped mid-item (one worker
    // looks at a batch at a time): done again when that is harmless, never a rollback.
    if b.action != Action::Publish && b.count(ItemState::Running) > 0 {
        update(store, id, |b| {
            let again = b.action != Action::Rollback;
            for i in b.items.iter_mut().filter(|i| i.state == ItemState::Running) {
                if again {
                    i.state = ItemState::Queued;
                } else {
                    i.state = ItemState::Failed;
                    i.error = Some(Bilingual::new(
                        "Interrupted: check the live version before rolling back again.",
                        "操作中断:请先查看线上版本,再决定是否回退。",
                    ));
                }
            }
        })
        .await?;
    }
    let (b, _) = load(store, id).await?.ok_or(StoreError::Stale)?;
    let running = b.count(ItemState::Running);
    let free = CONCURRENCY.saturating_sub(running);
    let next: Vec<Item> = b
        .items
        .iter()
        .filter(|i| i.state == ItemState::Queued)
        .take(if b.cancelled { 0 } else { free })
        .cloned()
        .collect();
    let mut work = Vec::new();
    for item in next {
        let run_id =
            (b.action == Action::Publish).then(|| crate::storage::tree::new_id().to_string());
        // Marked started (with its run id) before anything is done for it.
        let (took, _) = update(store, id, |b| {
            let Some(i) = b.items.iter_mut().find(|i| i.site_id == item.site_id) else {
                return false;
            };
            if i.state != ItemState::Queued || b.cancelled {
                return false;
            }
            i.state = ItemState::Running;
            i.attempts += 1;
            i.run_id = run_id.clone();
            true
        })
        .await?;
        if took {
            work.push((item.site_id, run_id));
        }
    }
    let by = b.by.clone();
    let tasks = work.into_iter().map(|(site, run_id)| {
        let (state, action, by) = (state.clone(), b.action.clone(), by.clone());
        async move {
            let outcome = act(&state, b.agency_id, &action, site, run_id.as_deref(), &by).await;
            (site, outcome)
        }
    });
    for (site, outcome) in futures::future::join_all(tasks).await {
        settle(store, id, site, outcome).await?;
    }
    let (b, _) = load(store, id).await?.ok_or(StoreError::Stale)?;
    if b.items.iter().all(|i| i.state.is_final()) {
        if b.action == Action::Export && b.download.is_none() {
            let key = bundle(state, &b).await?;
            update(store, id, |b| b.download = Some(key.clone())).await?;
        }
        if b.finished_at.is_none() {
            update(store, id, |b| b.finished_at = Some(now_rfc3339())).await?;
        }
        return Ok(Looked::Done);
    }
    Ok(Looked::Waiting {
        inline: b.action != Action::Publish,
    })
}

/// Records how an item ended (a publish still on its way stays running).
pub(super) async fn settle(
    store: &dyn Store,
    id: Ulid,
    site: Ulid,
    outcome: Outcome,
) -> Result<(), StoreError> {
    if matches!(outcome, Ok(None)) {
        return Ok(());
    }
    update(store, id, |b| {
        if let Some(i) = b.items.iter_mut().find(|i| i.site_id == site) {
            match &outcome {
                Ok(result) => {
                    i.state = ItemState::Done;
                    i.result = result.clone();
                    i.error = None;
                }
                Err((e, code)) => {
                    i.state = ItemState::Failed;
                    i.error = Some(e.clone());
                    i.errcode = *code;
                }
            }
        }
    })
    .await?;
    Ok(())
}

/// The report as CSV: one line per site.
pub fn csv(b: &Batch, lang: Lang) -> String {
    let field = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = String::from("site_id,site,state,attempts,result,errcode,error\r\n");
    for i in &b.items {
        let state = serde_json::to_value(i.state)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        out.push_str(&format!(
            "{},{},{},{},{},{},{}\r\n",
            i.site_id,
            field(&i.name),
            state,
            i.attempts,
            field(i.result.as_deref().unwrap_or("")),
            i.errcode.map(|c| c.to_string()).unwrap_or_default(),
            field(i.error.as_ref().map(|e| e.get(lang)).unwrap_or("")),
        ));
    }
    out
}

fn item_state(s: ItemState) -> &'static str {
    match s {
        ItemState::Queued => "queued",
        ItemState::Running => "running",
        ItemState::Done => "done",
        ItemState::Failed => "failed",
        ItemState::Cancelled => "cancelled",
    }
}

impl Batch {
    /// As its page and the API show it, errors in `lang`.
    pub fn view(&self, lang: Lang) -> app::model::dashboard::JobView {
        app::model::dashboard::JobView {
            id: self.id.to_string(),
            action: self.action.name().into(),
            state: self.state().into(),
            done: self.count(ItemState::Done),
            failed: self.count(ItemState::Failed),
            cancelled: self.count(ItemState::Cancelled),
            total: self.items.len(),
            by: self.by.clone(),
            created_at: self.created_at.clone(),
            finished_at: self.finished_at.clone(),
            has_packages: self.download.is_some(),
            items: self
                .items
                .iter()
                .map(|i| app::model::dashboard::JobItemView {
                    site_id: i.site_id.to_string(),
                    name: i.name.clone(),
                    state: item_state(i.state).into(),
                    attempts: i.attempts,
                    result: i.result.clone(),
                    errcode: i.errcode,
                    error: i.error.as_ref().map(|e| e.get(lang).to_string()),
                })
                .collect(),
        }
    }
}
