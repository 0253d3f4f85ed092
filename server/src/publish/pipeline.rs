//! The publish job: each step once, in order, its state in the site's publish document, so the
//! screen shows where it is and a retried job resumes where it stopped. WeChat's transient
//! answers (busy, unreachable, the privacy scan still running, a review still open) retry with
//! backoff; final ones end the run with WeChat's reason in both languages.
mod checks;

use super::versions::{self, Version};
use super::{connect, update, PublishError};
use crate::jobs::backoff;
use crate::state::AppState;
use crate::storage::{JobOutcome, StoreError};
use crate::wechat::client::SubmitItem;
use crate::wechat::errors::WxError;

use crate::wechat::tokens;
use app::i18n::Lang;
use app::model::publish::{Bilingual, Check, Review, Run, StepName, StepState, VersionKind};
use app::model::site::Site;
use checks::{checklist, privacy};
use std::time::Duration;
use ulid::Ulid;

/// Where the trial QR code of a site is kept.
pub fn trial_qr_key(site: Ulid) -> String {
    format!("qr/{site}/trial.png")
}

/// Where a processed picture served at `/i/{name}` is kept.
pub fn public_image_key(name: &str) -> String {
    format!("public/{name}")
}

struct Ctx<'a> {
    state: &'a AppState,
    agency: Ulid,
    site_id: Ulid,
    run_id: String,
    attempt: u32,
}

impl Ctx<'_> {
    /// Changes the run (when it is still this job's run).
    async fn run(&self, f: impl Fn(&mut Run)) -> Result<Run, PublishError> {
        let id = self.run_id.clone();
        let (run, _) = update(&*self.state.store, self.agency, self.site_id, |s| {
            let run = s.run.as_mut().filter(|r| r.id == id).ok_or_else(|| {
                PublishError::refused("superseded by a newer publish", "已被新的发布取代")
            })?;
            f(run);
            Ok(run.clone())
        })
        .await?;
        Ok(run)
    }

    async fn step(
        &self,
        name: StepName,
        state: StepState,
        note: Option<Bilingual>,
    ) -> Result<Run, PublishError> {
        self.run(|r| {
            let s = r.step_mut(name);
            s.state = state;
            s.note = note.clone();
        })
        .await
    }

    /// Ends the run on a step with `error`.
    async fn fail(&self, name: StepName, e: &WxError) -> JobOutcome {
        let text = Bilingual::new(e.message(Lang::En), e.message(Lang::Zh));
        let _ = self
            .run(|r| {
                let s = r.step_mut(name);
                s.state = StepState::Failed;
                s.note = Some(text.clone());
                r.error = Some(text.clone());
                r.errcode = e.code();
            })
            .await;
        JobOutcome::Failed(e.to_string())
    }

    /// Tries the step again later, saying why.
    async fn wait(&self, name: StepName, e: &WxError, cap: Duration) -> JobOutcome {
        let note = Bilingual::new(e.message(Lang::En), e.message(Lang::Zh));
        let _ = self.step(name, StepState::Waiting, Some(note)).await;
        JobOutcome::Retry {
            error: e.to_string(),
            retry_in: backoff(self.attempt).min(cap),
        }
    }

    async fn handle(&self, name: StepName, e: WxError) -> JobOutcome {
        if e.is_transient() {
            self.wait(name, &e, Duration::from_secs(300)).await
        } else {
            self.fail(name, &e).await
        }
    }
}

/// Runs the publish `run_id` of `site_id` as far as it can go now.
pub async fn run_job(state: &AppState, site_id: Ulid, run_id: &str, attempt: u32) -> JobOutcome {
    match run_inner(state, site_id, run_id, attempt).await {
        Ok(outcome) => outcome,
        Err(PublishError::Store(e)) => JobOutcome::Retry {
            error: e.to_string(),
            retry_in: backoff(attempt),
        },
        Err(e) => JobOutcome::Failed(e.message(Lang::En)),
    }
}

async fn run_inner(
    state: &AppState,
    site_id: Ulid,
    run_id: &str,
    attempt: u32,
) -> Result<JobOutcome, PublishError> {
    let store = &*state.store;
    let Some(record) = store
        .site(site_id)
        .await?
        .filter(|r| r.deleted_at.is_none())
    else {
        return Ok(JobOutcome::Failed("the site no longer exists".into()));
    };
    let Some(merchant) = store.merchant(record.merchant_id).await? else {
        return Ok(JobOutcome::Failed("the merchant no longer exists".into()));
    };
    let ctx = Ctx {
        state,
        agency: merchant.agency_id,
        site_id,
        run_id: run_id.into(),
        attempt,
    };
    let (ps, _) = super::load(store, site_id).await?;
    let Some(run) = ps.run.filter(|r| r.id == run_id) else {
        return Ok(JobOutcome::Done(serde_json::json!({"superseded": true})));
    };
    if run.error.is_some() {
        return Ok(JobOutcome::Failed("the run ended".into()));
    }
    let p = match super::platform_of(state, ctx.agency).await {
        Ok(p) => p,
        Err(e) => {
            let _ = fail_checks(
                &ctx,
                vec![check_fail("platform", &e, Some("/agency/wechat".into()))],
            )
            .await;
            return Ok(JobOutcome::Failed(e.message(Lang::En)));
        }
    };
    let site = match store.draft(site_id).await? {
        Some(d) => d.site,
        None => crate::sites::starter_draft(&record, Lang::En).site,
    };
    if !run.is_done(StepName::Checks) {
        ctx.step(StepName::Checks, StepState::Running, None).await?;
        let (checks, category) = checklist(state, &p, &record, &site).await;
        if checks.iter().any(|c| !c.ok) {
            fail_checks(&ctx, checks).await?;
            return Ok(JobOutcome::Failed("the checklist has open items".into()));
        }
        ctx.run(|r| {
            r.checks = checks.clone();
            r.category = category.clone();
            let s = r.step_mut(StepName::Checks);
            s.state = StepState::Done;
            s.note = None;
        })
        .await?;
    }
    let conn = connect::connected(store, site_id).await?;
    let appid = conn.appid.as_str();
    let wx = &state.wx;
    let run = ctx.run(|_| {}).await?;
    if !run.is_done(StepName::Commit) {
        ctx.step(StepName::Commit, StepState::Running, None).await?;
        let ext = match ext_json(state, &record, &site, appid).await {
            Ok(ext) => ext,
            Err(text) => {
                ctx.run(|r| {
                    let s = r.step_mut(StepName::Commit);
                    s.state = StepState::Failed;
                    s.note = Some(text.clone());
                    r.error = Some(text.clone());
                })
                .await?;
                return Ok(JobOutcome::Failed(text.en));
            }
        };
        let template_id = p
            .templates
            .get(record.template.slug())
            .copied()
            .unwrap_or_default();
        // The version is recorded before the call, so a commit WeChat took is never unrecorded.
        let n = match run.version {
            0 => {
                let v = Version::new(VersionKind::Commit, Some(site.clone()), None, &run.by);
                versions::record(store, ctx.agency, site_id, v).await?
            }
            n => n,
        };
        let user_version = format!("1.0.{n}");
        ctx.run(|r| {
            r.version = n;
            r.user_version = user_version.clone();
        })
        .await?;
        // Asked again after an interruption (`run.version` was set by the try before): when
        // WeChat already has this version as the trial, that try's commit landed, and
        // committing again would only restart the privacy scan.
        let landed = run.version != 0
            && tokens::with_authorizer(store, wx, &p, appid, |t| async move {
                wx.client.version_info(&t).await
            })
            .await
            .is_ok_and(|info| info.exp_info.is_some_and(|e| e.exp_version == user_version));
        let desc = format!("mpforge: {}", site.name);
        let result = if landed {
            Ok(())
        } else {
            tokens::with_authorizer(store, wx, &p, appid, |t| {
                let (ext, uv, desc) = (ext.clone(), user_version.clone(), desc.clone());
                async move { wx.client.commit(&t, template_id, &ext, &uv, &desc).await }
            })
            .await
        };
        match result {
            Ok(()) => {
                versions::set_result(store, site_id, n, None, None).await?;
                ctx.step(StepName::Commit, StepState::Done, None).await?;
            }
            Err(e) => {
                versions::set_result(store, site_id, n, e.code(), Some(e.message(Lang::En)))
                    .await?;
                return Ok(ctx.handle(StepName::Commit, e).await);
            }
        }
    }
    let run = ctx.run(|_| {}).await?;
    if !run.is_done(StepName::TrialQr) {
        // The trial code helps testers; WeChat refusing it does not stop the publish.
        let qr = tokens::with_authorizer(store, wx, &p, appid, |t| async move {
            wx.client.trial_qr(&t).await
        })
        .await;
        let (state_, note, kept) = match qr {
            Ok(bytes) => {
                state.blobs.put(&trial_qr_key(site_id), bytes).await?;
                (StepState::Done, None, true)
            }
            Err(e) => (
                StepState::Done,
                Some(Bilingual::new(e.message(Lang::En), e.message(Lang::Zh))),
                false,
            ),
        };
        ctx.run(|r| {
            let s = r.step_mut(StepName::TrialQr);
            s.state = state_;
            s.note = note.clone();
            r.trial_qr = kept;
        })
        .await?;
    }
    if !run.is_done(StepName::PrivacyScan) {
        ctx.step(StepName::PrivacyScan, StepState::Running, None)
            .await?;
        // Cover every key the committed code uses (WeChat's list is known after the commit).
        let covered = privacy(state, &p, appid).await;
        if let Err(e) = covered {
            return Ok(ctx.handle(StepName::PrivacyScan, e).await);
        }
        let scan = tokens::with_authorizer(store, wx, &p, appid, |t| async move {
            wx.client.code_privacy_info(&t).await
        })
        .await;
        match scan {
            Ok(_) => {
                ctx.step(StepName::PrivacyScan, StepState::Done, None)
                    .await?;
            }
            // The scan takes about a minute: ask again soon, never commit again.
            Err(e) if e.code() == Some(61039) => {
                return Ok(ctx
                    .wait(StepName::PrivacyScan, &e, Duration::from_secs(30))
                    .await)
            }
            Err(e) => return Ok(ctx.handle(StepName::PrivacyScan, e).await),
        }
    }
    let run = ctx.run(|_| {}).await?;
    if !run.is_done(StepName::Submit) {
        ctx.step(StepName::Submit, StepState::Running, None).await?;
        let (first, second, first_id, second_id) = run.category.clone().unwrap_or_default();
        let title: String = site
            .pages
            .first()
            .map(|p| p.title.clone())
            .unwrap_or_else(|| site.name.clone())
            .chars()
            .take(32)
            .collect();
        let item = SubmitItem {
            address: "pages/p1/index".into(),
            tag: record.template.slug().into(),
            first_class: first,
            second_class: second,
            first_id,
            second_id,
            title,
        };
        let desc = format!("{} {}", site.name, run.user_version);
        let submitted = tokens::with_authorizer(store, wx, &p, appid, |t| {
            let (item, desc) = (item.clone(), desc.clone());
            async move { wx.client.submit_audit(&t, &[item], &desc).await }
        })
        .await;
        // 85009 "a version is in review": when it is this run's version, the try before
        // this one was taken and its answer lost (an interruption): it is this submission.
        let submitted = match submitted {
            Err(e) if e.code() == Some(85009) => {
                let latest = tokens::with_authorizer(store, wx, &p, appid, |t| async move {
                    wx.client.latest_audit_status(&t).await
                })
                .await;
                match latest {
                    Ok(s) if s.user_version == run.user_version && matches!(s.status, 2 | 4) => {
                        Ok(s.auditid)
                    }
                    _ => Err(e),
                }
            }
            other => other,
        };
        match submitted {
            Ok(auditid) => {
                ctx.run(|r| {
                    r.auditid = Some(auditid);
                    r.review = Review::InReview;
                    r.step_mut(StepName::Submit).state = StepState::Done;
                    r.step_mut(StepName::Review).state = StepState::Waiting;
                })
                .await?;
            }
            Err(e) if e.code() == Some(61039) => {
                return Ok(ctx
                    .wait(StepName::Submit, &e, Duration::from_secs(30))
                    .await)
            }
            Err(e) => return Ok(ctx.handle(StepName::Submit, e).await),
        }
    }
    // The review: pushes say how it ends; polling is the fallback when one is missed.
    let run = ctx.run(|_| {}).await?;
    if matches!(run.review, Review::InReview | Review::Delayed) {
        let status = tokens::with_authorizer(store, wx, &p, appid, |t| async move {
            wx.client.latest_audit_status(&t).await
        })
        .await;
        match status {
            Ok(s) if Some(s.auditid) == run.auditid || run.auditid.is_none() => {
                let review = match s.status {
                    0 => Review::Approved,
                    1 => Review::Rejected,
                    3 => Review::Withdrawn,
                    4 => Review::Delayed,
                    _ => Review::InReview,
                };
                if review != run.review {
                    super::on_review(state, ctx.agency, site_id, review, &s.reason).await?;
                }
            }
            Ok(_) => {}
            Err(e) if e.is_transient() => {}
            Err(e) => return Ok(ctx.handle(StepName::Review, e).await),
        }
        let run = ctx.run(|_| {}).await?;
        if matches!(run.review, Review::InReview | Review::Delayed) {
            return Ok(JobOutcome::Retry {
                error: "waiting for WeChat's review".into(),
                retry_in: backoff(attempt).clamp(Duration::from_secs(30), Duration::from_secs(300)),
            });
        }
    }
    let run = ctx.run(|_| {}).await?;
    Ok(JobOutcome::Done(serde_json::json!({
        "version": run.version, "review": run.review, "released": run.released,
    })))
}

fn check_fail(key: &str, e: &PublishError, link: Option<String>) -> Check {
    Check {
        key: key.into(),
        ok: false,
        message: Bilingual::new(e.message(Lang::En), e.message(Lang::Zh)),
        link,
    }
}

async fn fail_checks(ctx: &Ctx<'_>, checks: Vec<Check>) -> Result<Run, PublishError> {
    let open = checks.iter().filter(|c| !c.ok).count();
    let text = Bilingual::new(
        format!("{open} item(s) of the checklist need attention before publishing."),
        format!("发布前检查有 {open} 项需要处理。"),
    );
    ctx.run(|r| {
        r.checks = checks.clone();
        let s = r.step_mut(StepName::Checks);
        s.state = StepState::Failed;
        s.note = Some(text.clone());
        r.error = Some(text.clone());
    })
    .await
}

/// The site's ext.json, its pictures processed and kept at their public addresses.
async fn ext_json(
    state: &AppState,
    record: &crate::storage::Site,
    site: &Site,
    appid: &str,
) -> Result<String, Bilingual> {
    let store = &*state.store;
    let storage = |e: StoreError| Bilingual::new(e.to_string(), e.to_string());
    let media = crate::sites::site_media(store, &state.blobs, record.merchant_id, site)
        .await
        .map_err(storage)?;
    let cache = state.media_cache.clone();
    let owned = site.clone();
    let embedded = tokio::task::spawn_blocking(move || {
        crate::generator::assets::embed_images(&owned, &cache, Lang::En, |r| {
            let hash = r.strip_prefix("media/").ok_or("not uploaded")?;
            media
                .get(hash)
                .cloned()
                .ok_or_else(|| "missing".to_string())
        })
    })
    .await
    .map_err(|e| Bilingual::new(e.to_string(), e.to_string()))?;
    let (site, images) =
        embedded.map_err(|e| Bilingual::new(e.message(Lang::En), e.message(Lang::Zh)))?;
    for (path, bytes) in images {
        let name = path.trim_start_matches("images/");
        let key = public_image_key(name);
        if !state.blobs.exists(&key).await.map_err(storage)? {
            state.blobs.put(&key, bytes).await.map_err(storage)?;
        }
    }
    let base = state.wx.public_url.clone();
    let site = crate::sites::with_api_base(site, record.id, &base);
    let make = |lang| {
        crate::generator::template::ext_json(&site, appid, lang, |name| format!("{base}/i/{name}"))
    };
    match make(Lang::En) {
        Ok(text) => Ok(text),
        Err(en) => Err(Bilingual::new(
            en.to_string(),
            make(Lang::Zh)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default(),
        )),
    }
}
