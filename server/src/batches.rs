//! Bulk actions on many sites: one durable job per action ([`crate::jobs::Kind::Batch`]). The
//! batch is a store document; each item (one per site, with state, attempts and the last error
//! in both languages) is a document of its own, so a change to one item writes that item alone.
//! The job works a few items at a time (WeChat's quotas), one failing site never stops the
//! others, and a job taken over after a restart resumes from the documents: an item is marked
//! started before it is acted on, and a publish item keeps the id of the run it began, so no
//! site is committed or submitted twice.
use crate::jobs::backoff;

use crate::state::AppState;
use crate::storage::{now_rfc3339, Doc, Expect, JobOutcome, Store, StoreError};
use app::error::AppError;
use app::i18n::Lang;
use app::model::publish::Bilingual;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};
use ulid::Ulid;

mod items;
mod theme;

pub use items::export_key;
use items::{act, bundle, follow_publish, Outcome};
pub use theme::ThemeChange;

pub const BATCH: &str = "batch";
/// One document per item, keyed `{batch}/{n:05}` so the items keep the order they were named in:
/// an item's change writes that item alone, whatever the size of the batch.
pub const BATCH_ITEM: &str = "batch-item";
/// Items of one batch under way at once. A publish item mostly waits (WeChat's privacy scan
/// takes about a minute), so this bounds the calls in flight more than the time taken.
pub const CONCURRENCY: usize = 10;
/// Sites one batch may name.
pub const MAX_ITEMS: usize = 10_000;
/// How long one claim of a batch works before handing the job back to the queue.
const SLICE: Duration = Duration::from_secs(20);
/// How often a claim writes its counts to the batch and looks whether it was cancelled.
const CHECK_EVERY: Duration = Duration::from_millis(500);

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
    /// Its place in the batch (and in its document's key).
    pub n: u32,
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

/// Items by state, as last written by the batch's job (lists of batches show these without
/// loading every item).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub running: usize,
    pub done: usize,
    pub failed: usize,
    pub cancelled: usize,
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
    /// How many items it has.
    pub total: usize,
    #[serde(default)]
    pub counts: Counts,
    /// The items in the order named, each kept as its own document; empty when only the batch
    /// itself was read ([`header`]).
    #[serde(skip)]
    pub items: Vec<Item>,
}

impl Batch {
    /// Items by state: counted from the items when they were read, else as last written.
    fn tally(&self) -> Counts {
        if self.items.len() != self.total {
            return self.counts;
        }
        let mut c = Counts::default();
        for i in &self.items {
            match i.state {
                ItemState::Queued => {}
                ItemState::Running => c.running += 1,
                ItemState::Done => c.done += 1,
                ItemState::Failed => c.failed += 1,
                ItemState::Cancelled => c.cancelled += 1,
            }
        }
        c
    }

    pub fn state(&self) -> &'static str {
        let c = self.tally();
        let ended = c.done + c.failed + c.cancelled;
        if ended >= self.total {
            if self.cancelled {
                "cancelled"
            } else {
                "done"
            }
        } else if ended + c.running == 0 {
            "queued"
        } else {
            "running"
        }
    }

    pub fn count(&self, state: ItemState) -> usize {
        let c = self.tally();
        match state {
            ItemState::Queued => self
                .total
                .saturating_sub(c.running + c.done + c.failed + c.cancelled),
            ItemState::Running => c.running,
            ItemState::Done => c.done,
            ItemState::Failed => c.failed,
            ItemState::Cancelled => c.cancelled,
        }
    }

    /// Once cancelled, what has not started never will.
    fn cancel_queued(&mut self) {
        if self.cancelled {
            for i in self
                .items
                .iter_mut()
                .filter(|i| i.state == ItemState::Queued)
            {
                i.state = ItemState::Cancelled;
            }
        }
    }
}

fn item_key(batch: Ulid, n: u32) -> String {
    format!("{batch}/{n:05}")
}

/// The batch without its items, with its revision.
pub async fn header(store: &dyn Store, id: Ulid) -> Result<Option<(Batch, u64)>, StoreError> {
    match store.doc(BATCH, &id.to_string()).await? {
        Some(d) => Ok(Some((d.read()?, d.rev))),
        None => Ok(None),
    }
}

/// The batch with every item.
pub async fn load(store: &dyn Store, id: Ulid) -> Result<Option<Batch>, StoreError> {
    let Some((mut b, _)) = header(store, id).await? else {
        return Ok(None);
    };
    b.items = store
        .docs(BATCH_ITEM, &format!("{id}/"), b.total + 1)
        .await?
        .iter()
        .map(|d| d.read())
        .collect::<Result<_, _>>()?;
    b.cancel_queued();
    Ok(Some(b))
}

/// The agency's batch `id`; another agency's is not found.
pub async fn of_agency(
    store: &dyn Store,
    agency: Ulid,
    id: &str,
) -> Result<Batch, crate::error::Error> {
    let id: Ulid = id.parse().map_err(|_| AppError::NotFound)?;
    match load(store, id).await? {
        Some(b) if b.agency_id == agency => Ok(b),
        _ => Err(AppError::NotFound.into()),
    }
}

/// Changes the batch itself (not its items) with `f` over the latest stored one, retrying when
/// another writer got there first.
pub(super) async fn update<T>(
    store: &dyn Store,
    id: Ulid,
    mut f: impl FnMut(&mut Batch) -> T,
) -> Result<(T, Batch), StoreError> {
    loop {
        let (mut b, rev) = header(store, id).await?.ok_or(StoreError::Stale)?;
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

/// Writes item `ix` of `b` (one job works a batch at a time, so it is the only writer).
async fn put_item(store: &dyn Store, b: &Batch, ix: usize) -> Result<(), StoreError> {
    let item = &b.items[ix];
    let body = serde_json::to_value(item).map_err(StoreError::Encode)?;
    store
        .put_doc(
            &Doc::new(BATCH_ITEM, item_key(b.id, item.n), b.agency_id, body),
            Expect::Any,
        )
        .await?;
    Ok(())
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
    let items: Vec<Item> = sites
        .into_iter()
        .filter(|(s, _)| seen.insert(*s))
        .enumerate()
        .map(|(n, (site_id, name))| Item {
            n: n as u32,
            site_id,
            name,
            state: ItemState::Queued,
            attempts: 0,
            error: None,
            errcode: None,
            run_id: None,
            result: None,
        })
        .collect();
    let batch = Batch {
        id,
        agency_id: agency,
        action,
        by: by.into(),
        created_at: now_rfc3339(),
        cancelled: false,
        finished_at: None,
        download: None,
        total: items.len(),
        counts: Counts::default(),
        items,
    };
    // The items first: a batch is only seen once all of them are there.
    let ixs: Vec<usize> = (0..batch.items.len()).collect();
    for chunk in ixs.chunks(64) {
        futures::future::try_join_all(chunk.iter().map(|&ix| put_item(store, &batch, ix))).await?;
    }
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
    let mut b = of_agency(store, agency, id).await?;
    b.cancelled = true;
    b.cancel_queued();
    let counts = b.tally();
    update(store, b.id, |h| {
        h.cancelled = true;
        h.counts = counts;
    })
    .await?;
    Ok(b)
}

/// The agency's batches, newest first, without their items.
pub async fn list(store: &dyn Store, agency: Ulid, limit: usize) -> Result<Vec<Batch>, StoreError> {
    let jobs = store.agency_jobs(agency, limit * 4).await?;
    let mut out = Vec::new();
    for j in jobs.iter().filter(|j| j.kind == "batch") {
        if let Ok(crate::jobs::Kind::Batch { batch_id }) = serde_json::from_value(j.payload.clone())
        {
            if let Some((b, _)) = header(store, batch_id).await? {
                out.push(b);
            }
        }
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

/// One claim of the batch: items under way are followed, then up to [`CONCURRENCY`] at a time
/// are worked until none is left (or, for the actions done here, [`SLICE`] has passed). Done
/// when every item is final; otherwise asked again shortly.
///
/// A publish item's run is a job of its own: the batch starts it and looks at it again on its
/// next claim, a short pause later.
pub async fn run_job(state: &AppState, id: Ulid, attempt: u32) -> JobOutcome {
    match drive(state, id).await {
        Ok(Looked::Done) => JobOutcome::Done(serde_json::json!({"batch": id})),
        Ok(Looked::Waiting { inline }) => JobOutcome::Retry {
            error: "waiting for sites under way".into(),
            retry_in: if inline {
                Duration::ZERO
            } else {
                Duration::from_millis(500)
            },
        },
        Err(e) => JobOutcome::Retry {
            error: e.to_string(),
            retry_in: backoff(attempt.min(5)),
        },
    }
}

/// What one claim of a batch left.
enum Looked {
    /// Every item is final.
    Done,
    /// Items are left; `inline` when this job does them itself (all but publish).
    Waiting { inline: bool },
}

async fn drive(state: &AppState, id: Ulid) -> Result<Looked, StoreError> {
    let store = &*state.store;
    let began = Instant::now();
    let Some(mut b) = load(store, id).await? else {
        return Ok(Looked::Done);
    };
    let publish = b.action == Action::Publish;
    let found: Vec<usize> = (0..b.items.len())
        .filter(|&ix| b.items[ix].state == ItemState::Running)
        .collect();
    for ix in found {
        if publish {
            // Publish items under way: their run says how they are doing.
            let outcome = follow_publish(state, &b, &b.items[ix]).await?;
            settle(store, &mut b, ix, outcome).await?;
        } else {
            // Left by a worker that stopped mid-item (one worker works a batch at a time):
            // done again when that is harmless, never a rollback.
            let i = &mut b.items[ix];
            if b.action == Action::Rollback {
                i.state = ItemState::Failed;
                i.error = Some(Bilingual::new(
                    "Interrupted: check the live version before rolling back again.",
                    "操作中断:请先查看线上版本,再决定是否回退。",
                ));
            } else {
                i.state = ItemState::Queued;
            }
            put_item(store, &b, ix).await?;
        }
    }
    b.cancel_queued();
    let mut flight = futures::stream::FuturesUnordered::new();
    // Counted once, then kept as items start and end (not counted again per item).
    let mut running = b.count(ItemState::Running);
    let mut next = 0;
    let mut checked = Instant::now();
    loop {
        if checked.elapsed() >= CHECK_EVERY {
            write_counts(store, &mut b).await?;
            checked = Instant::now();
        }
        while !b.cancelled && running < CONCURRENCY && (publish || began.elapsed() < SLICE) {
            let Some(ix) = (next..b.items.len()).find(|&k| b.items[k].state == ItemState::Queued)
            else {
                break;
            };
            next = ix + 1;
            running += 1;
            let run_id = publish.then(|| crate::storage::tree::new_id().to_string());
            let i = &mut b.items[ix];
            i.state = ItemState::Running;
            i.attempts += 1;
            i.run_id = run_id.clone();
            // Marked started (with its run id) before anything is done for it.
            put_item(store, &b, ix).await?;
            let (state, action, by) = (state.clone(), b.action.clone(), b.by.clone());
            let (agency, site) = (b.agency_id, b.items[ix].site_id);
            flight.push(async move {
                let outcome = act(&state, agency, &action, site, run_id.as_deref(), &by).await;
                (ix, outcome)
            });
        }
        use futures::StreamExt;
        let Some((ix, outcome)) = flight.next().await else {
            break;
        };
        if settle(store, &mut b, ix, outcome).await? {
            running -= 1;
        }
    }
    let finished = b.items.iter().all(|i| i.state.is_final());
    if finished && b.action == Action::Export && b.download.is_none() {
        b.download = Some(bundle(state, &b).await?);
    }
    let (download, counts) = (b.download.clone(), b.tally());
    update(store, id, |h| {
        h.counts = counts;
        h.download = download.clone();
        if finished && h.finished_at.is_none() {
            h.finished_at = Some(now_rfc3339());
        }
    })
    .await?;
    Ok(if finished {
        Looked::Done
    } else {
        Looked::Waiting { inline: !publish }
    })
}

/// Writes the counts so far to the batch, and learns whether it was cancelled meanwhile.
async fn write_counts(store: &dyn Store, b: &mut Batch) -> Result<(), StoreError> {
    let counts = b.tally();
    let (cancelled, _) = update(store, b.id, |h| {
        h.counts = counts;
        h.cancelled
    })
    .await?;
    b.cancelled |= cancelled;
    b.cancel_queued();
    Ok(())
}

/// Records how item `ix` ended (a publish still on its way stays running); whether it ended.
async fn settle(
    store: &dyn Store,
    b: &mut Batch,
    ix: usize,
    outcome: Outcome,
) -> Result<bool, StoreError> {
    let i = &mut b.items[ix];
    match outcome {
        Ok(None) => return Ok(false),
        Ok(result) => {
            i.state = ItemState::Done;
            i.result = result;
            i.error = None;
        }
        Err((e, code)) => {
            i.state = ItemState::Failed;
            i.error = Some(e);
            i.errcode = code;
        }
    }
    put_item(store, b, ix).await?;
    Ok(true)
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
