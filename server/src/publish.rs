//! Publishing a site through its agency's WeChat platform in one click: a pipeline run by the
//! job workers (checklist → commit → trial QR → privacy scan → submit → review → release), its
//! state in a store document per site (`publish`, written by compare-and-swap, so a push, a
//! worker and a button press on different nodes never undo each other), versions of every
//! commit, export and release ([`versions`]) and what changed between them ([`diff`]).
//!
//! Each step is done once: a retried job resumes at the first step not done, so a commit is
//! never repeated while WeChat's privacy scan runs (a new commit would restart it).
pub mod connect;
pub mod diff;
pub mod pipeline;
pub mod versions;

use crate::state::AppState;
use crate::storage::{now_rfc3339, Doc, Expect, Store, StoreError};
use crate::wechat::errors::WxError;
use crate::wechat::platform::{self, Platform};
use crate::wechat::tokens;
use app::i18n::Lang;
use app::model::publish::{
    Bilingual, Live, PublishState, Review, StepName, StepState, VersionKind,
};
use ulid::Ulid;
use versions::Version;

pub const STATE: &str = "publish";

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{}", .0.en)]
    Refused(Bilingual),
    #[error(transparent)]
    WeChat(#[from] WxError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl PublishError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            PublishError::Refused(b) => b.get(lang).to_string(),
            PublishError::WeChat(e) => e.message(lang),
            PublishError::Store(e) => e.to_string(),
        }
    }

    fn refused(en: &str, zh: &str) -> PublishError {
        PublishError::Refused(Bilingual::new(en, zh))
    }
}

pub async fn load(
    store: &dyn Store,
    site: Ulid,
) -> Result<(PublishState, Option<u64>), StoreError> {
    match store.doc(STATE, &site.to_string()).await? {
        Some(d) => Ok((d.read()?, Some(d.rev))),
        None => Ok((PublishState::default(), None)),
    }
}

/// Changes the site's publish state with `f` over the latest stored one, retrying when another
/// writer got there first. `f` returning an error leaves the state as it was.
pub async fn update<T>(
    store: &dyn Store,
    agency: Ulid,
    site: Ulid,
    mut f: impl FnMut(&mut PublishState) -> Result<T, PublishError>,
) -> Result<(T, PublishState), PublishError> {
    loop {
        let (mut state, rev) = load(store, site).await?;
        let out = f(&mut state)?;
        let body = serde_json::to_value(&state).map_err(StoreError::Encode)?;
        let expect = rev.map(Expect::Rev).unwrap_or(Expect::Absent);
        match store
            .put_doc(&Doc::new(STATE, site.to_string(), agency, body), expect)
            .await
        {
            Ok(_) => {
                crate::dashboard::touch(store, site).await;
                return Ok((out, state));
            }
            Err(StoreError::Stale) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// The agency's platform, or why publishing cannot start.
pub async fn platform_of(state: &AppState, agency: Ulid) -> Result<Platform, PublishError> {
    platform::open(&*state.store, &state.wx.sbox, agency)
        .await?
        .ok_or_else(|| {
            PublishError::refused(
                "The agency has not set up its WeChat platform yet (Agency → WeChat platform).",
                "服务商尚未设置微信第三方平台(服务商 → 微信第三方平台)。",
            )
        })
}

/// Starts a publish of the site's saved draft; the job workers carry it out.
pub async fn start(
    state: &AppState,
    agency: Ulid,
    site: Ulid,
    by: &str,
) -> Result<String, PublishError> {
    let run_id = crate::storage::tree::new_id().to_string();
    start_as(state, agency, site, by, &run_id).await?;
    Ok(run_id)
}

/// Starts the publish run `run_id`, unless it has started already (a bulk job resuming after a
/// restart asks again, and gets the run it began, never a second one).
pub async fn start_as(
    state: &AppState,
    agency: Ulid,
    site: Ulid,
    by: &str,
    run_id: &str,
) -> Result<(), PublishError> {
    let store = &*state.store;
    let run_id = run_id.to_string();
    let (queue, _) = update(store, agency, site, |s| {
        if let Some(run) = s.run.as_ref().filter(|r| r.id == run_id) {
            // Begun, but perhaps stopped before its job was queued: queue it (once, by its
            // dedupe key) while no step has moved.
            let untouched =
                run.error.is_none() && run.steps.iter().all(|st| st.state == StepState::Pending);
            return Ok(untouched);
        }
        if let Some(run) = &s.run {
            if run.is_active() && run.error.is_none() {
                return Err(match run.review {
                    Review::InReview | Review::Delayed => PublishError::refused(
                        "A version is in review: wait for WeChat's answer before publishing again.",
                        "已有版本在审核中,请等待微信审核结果后再发布。",
                    ),
                    _ => {
                        PublishError::refused("A publish is already under way.", "发布正在进行中。")
                    }
                });
            }
        }
        s.run = Some(app::model::publish::Run {
            id: run_id.clone(),
            version: 0,
            user_version: String::new(),
            by: by.into(),
            started_at: now_rfc3339(),
            steps: StepName::ALL
                .iter()
                .map(|n| app::model::publish::Step {
                    name: *n,
                    state: StepState::Pending,
                    note: None,
                })
                .collect(),
            checks: Vec::new(),
            auditid: None,
            review: Review::NotSubmitted,
            reason: String::new(),
            error: None,
            errcode: None,
            trial_qr: false,
            releasing: false,
            released: false,
            category: None,
        });
        Ok(true)
    })
    .await?;
    if !queue {
        return Ok(());
    }
    let kind = crate::jobs::Kind::Publish {
        site_id: site,
        run_id: run_id.clone(),
    };
    store
        .enqueue_job(&crate::storage::NewJob {
            agency_id: agency,
            kind: kind.name().into(),
            payload: serde_json::to_value(&kind).map_err(StoreError::Encode)?,
            dedupe_key: Some(format!("publish:{site}:{run_id}")),
            // The review is polled by the same job (pushes can be missed): up to about a week.
            max_attempts: 2000,
        })
        .await?;
    Ok(())
}

/// A review result, from a push or from polling. Pushes can come twice or out of order: a
/// result only moves a review that is still open, and a released run is never moved back.
pub async fn on_review(
    state: &AppState,
    agency: Ulid,
    site: Ulid,
    review: Review,
    reason: &str,
) -> Result<bool, PublishError> {
    let reason = plain_text(reason);
    let (changed, s) = update(&*state.store, agency, site, |s| {
        let Some(run) = s.run.as_mut() else {
            return Ok(false);
        };
        if run.released || !matches!(run.review, Review::InReview | Review::Delayed) {
            return Ok(false);
        }
        if run.review == review {
            return Ok(false);
        }
        run.review = review;
        run.reason = reason.clone();
        let step = run.step_mut(StepName::Review);
        step.state = match review {
            Review::Approved => StepState::Done,
            Review::Rejected | Review::Withdrawn => StepState::Failed,
            _ => StepState::Waiting,
        };
        Ok(true)
    })
    .await?;
    if changed && review == Review::Approved {
        let p = platform_of(state, agency).await?;
        if p.auto_release {
            let by = s.run.as_ref().map(|r| r.by.clone()).unwrap_or_default();
            release(state, agency, site, &format!("{by} (auto)")).await?;
        }
    }
    Ok(changed)
}

/// Releases the approved version. Pressed twice (or by two nodes), WeChat is asked once.
pub async fn release(
    state: &AppState,
    agency: Ulid,
    site: Ulid,
    by: &str,
) -> Result<(), PublishError> {
    let store = &*state.store;
    let (go, _) = update(store, agency, site, |s| {
        let Some(run) = s.run.as_mut() else {
            return Err(PublishError::refused(
                "Nothing has been submitted yet.",
                "还没有提交过版本。",
            ));
        };
        if run.released || run.releasing {
            return Ok(false);
        }
        if run.review != Review::Approved {
            return Err(PublishError::refused(
                "Only an approved version can be released.",
                "只有审核通过的版本才能发布。",
            ));
        }
        run.releasing = true;
        run.step_mut(StepName::Release).state = StepState::Running;
        Ok(true)
    })
    .await?;
    if !go {
        return Ok(());
    }
    let p = platform_of(state, agency).await?;
    let conn = connect::connected(store, site).await?;
    let result = tokens::with_authorizer(store, &state.wx, &p, &conn.appid, |t| async move {
        state.wx.client.release(&t).await
    })
    .await;
    // 85052: WeChat already has it live (the first press's answer was lost).
    let result = match result {
        Err(e) if e.code() == Some(85052) => Ok(()),
        other => other,
    };
    let live_version = match &result {
        Ok(()) => {
            let (s, _) = load(store, site).await?;
            let run = s.run.as_ref();
            let v = Version {
                user_version: run.map(|r| r.user_version.clone()),
                ..Version::new(VersionKind::Release, None, run.map(|r| r.version), by)
            };
            Some(versions::record(store, agency, site, v).await?)
        }
        Err(e) => {
            let mut v = Version::new(VersionKind::Release, None, None, by);
            v.ok = false;
            v.errcode = e.code();
            v.error = Some(e.message(Lang::En));
            versions::record(store, agency, site, v).await?;
            None
        }
    };
    update(store, agency, site, |s| {
        let Some(run) = s.run.as_mut() else {
            return Ok(());
        };
        run.releasing = false;
        match (&result, live_version) {
            (Ok(()), Some(_)) => {
                run.released = true;
                run.error = None;
                run.step_mut(StepName::Release).state = StepState::Done;
                s.live = Some(Live {
                    version: run.version,
                    user_version: run.user_version.clone(),
                    released_at: now_rfc3339(),
                    by: by.into(),
                });
            }
            (Err(e), _) => {
                let step = run.step_mut(StepName::Release);
                step.state = StepState::Failed;
                step.note = Some(Bilingual::new(e.message(Lang::En), e.message(Lang::Zh)));
            }
            _ => {}
        }
        Ok(())
    })
    .await?;
    result.map_err(PublishError::from)
}

/// Rolls the live mini program back to the release before it.
pub async fn rollback(
    state: &AppState,
    agency: Ulid,
    site: Ulid,
    by: &str,
) -> Result<u64, PublishError> {
    let store = &*state.store;
    let (s, _) = load(store, site).await?;
    let live = s.live.ok_or_else(|| {
        PublishError::refused(
            "Nothing is live yet, so there is nothing to roll back.",
            "还没有上线的版本,无法回退。",
        )
    })?;
    // The release before the live one, by our own records.
    let all = versions::list(store, site).await?;
    let target = all
        .iter()
        .filter(|v| matches!(v.kind, VersionKind::Release | VersionKind::Rollback) && v.ok)
        .filter_map(|v| v.of)
        .find(|of| *of != live.version)
        .ok_or_else(|| {
            PublishError::refused(
                "There is no earlier release to go back to.",
                "没有更早的已发布版本可以回退。",
            )
        })?;
    let p = platform_of(state, agency).await?;
    let conn = connect::connected(store, site).await?;
    let result = tokens::with_authorizer(store, &state.wx, &p, &conn.appid, |t| async move {
        state.wx.client.revert_release(&t, None).await
    })
    .await;
    let mut v = Version::new(VersionKind::Rollback, None, Some(target), by);
    if let Err(e) = &result {
        v.ok = false;
        v.errcode = e.code();
        v.error = Some(e.message(Lang::En));
        v.of = None;
    }
    let target_user_version = all
        .iter()
        .find(|v| v.of == Some(target) && v.user_version.is_some())
        .and_then(|v| v.user_version.clone());
    v.user_version = target_user_version.clone();
    versions::record(store, agency, site, v).await?;
    result?;
    update(store, agency, site, |s| {
        s.live = Some(Live {
            version: target,
            user_version: target_user_version.clone().unwrap_or_default(),
            released_at: now_rfc3339(),
            by: by.into(),
        });
        Ok(())
    })
    .await?;
    Ok(target)
}

/// WeChat's reason text as plain text: tags dropped (`<br>` kept as a line break), entities
/// decoded, so it can be shown as text anywhere.
pub fn plain_text(html: &str) -> String {
    let with_breaks = html
        .replace("<br/>", "\n")
        .replace("<br />", "\n")
        .replace("<br>", "\n");
    let mut out = String::new();
    let mut in_tag = false;
    for c in with_breaks.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

/// Forgets a purged site's publishing state, connection and versions.
pub async fn purge(store: &dyn Store, site: Ulid) -> Result<(), StoreError> {
    store.delete_doc(STATE, &site.to_string()).await?;
    if let Some(conn) = platform::connection(store, site).await? {
        store.delete_doc(platform::BY_APP, &conn.appid).await?;
    }
    store
        .delete_doc(platform::CONNECTION, &site.to_string())
        .await?;
    versions::purge(store, site).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_reasons_become_plain_text() {
        assert_eq!(
            plain_text("1:<b>类目不符</b><br>2:请补充&lt;资质&gt; &amp; 说明<script>x</script>"),
            "1:类目不符\n2:请补充<资质> & 说明x"
        );
    }
}
