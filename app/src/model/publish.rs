//! Publishing a site through the agency's WeChat platform: the pipeline's state as stored and
//! shown (steps, checklist, review, what is live), the connected mini program, and versions.
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// A text in both languages, kept as written when it happened (a step's note, an error).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Bilingual {
    pub en: String,
    pub zh: String,
}

impl Bilingual {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Bilingual {
        Bilingual {
            en: en.into(),
            zh: zh.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepName {
    Checks,
    Commit,
    TrialQr,
    PrivacyScan,
    Submit,
    Review,
    Release,
}

impl StepName {
    pub const ALL: [StepName; 7] = [
        StepName::Checks,
        StepName::Commit,
        StepName::TrialQr,
        StepName::PrivacyScan,
        StepName::Submit,
        StepName::Review,
        StepName::Release,
    ];

    /// The name as stored and in the page's `data-step` attribute.
    pub fn slug(self) -> &'static str {
        match self {
            StepName::Checks => "checks",
            StepName::Commit => "commit",
            StepName::TrialQr => "trial_qr",
            StepName::PrivacyScan => "privacy_scan",
            StepName::Submit => "submit",
            StepName::Review => "review",
            StepName::Release => "release",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (en, zh) = match self {
            StepName::Checks => ("Checklist", "发布前检查"),
            StepName::Commit => ("Upload code", "上传代码"),
            StepName::TrialQr => ("Trial QR code", "体验版二维码"),
            StepName::PrivacyScan => ("WeChat privacy scan", "微信隐私检测"),
            StepName::Submit => ("Submit for review", "提交审核"),
            StepName::Review => ("Review", "审核"),
            StepName::Release => ("Release", "发布上线"),
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    #[default]
    Pending,
    Running,
    /// Waiting on WeChat (the privacy scan, the review); tried again by itself.
    Waiting,
    Done,
    Failed,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub name: StepName,
    pub state: StepState,
    #[serde(default)]
    pub note: Option<Bilingual>,
}

/// One item of the checklist before a publish: what is wrong and where it is fixed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub key: String,
    pub ok: bool,
    pub message: Bilingual,
    #[serde(default)]
    pub link: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Review {
    #[default]
    NotSubmitted,
    InReview,
    Approved,
    Rejected,
    Delayed,
    Withdrawn,
}

impl Review {
    /// The name as stored and in the page's `data-review` attribute.
    pub fn slug(self) -> &'static str {
        match self {
            Review::NotSubmitted => "not_submitted",
            Review::InReview => "in_review",
            Review::Approved => "approved",
            Review::Rejected => "rejected",
            Review::Delayed => "delayed",
            Review::Withdrawn => "withdrawn",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (en, zh) = match self {
            Review::NotSubmitted => ("Not submitted", "未提交"),
            Review::InReview => ("In review", "审核中"),
            Review::Approved => ("Approved", "审核通过"),
            Review::Rejected => ("Rejected", "审核未通过"),
            Review::Delayed => ("Review delayed", "审核延后"),
            Review::Withdrawn => ("Withdrawn", "已撤回"),
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// One publish of a site, from the checklist to the release.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub id: String,
    /// The version committed (see [`Version`]).
    pub version: u64,
    pub user_version: String,
    pub by: String,
    pub started_at: String,
    pub steps: Vec<Step>,
    #[serde(default)]
    pub checks: Vec<Check>,
    #[serde(default)]
    pub auditid: Option<i64>,
    #[serde(default)]
    pub review: Review,
    /// WeChat's reason for a rejection or delay, as plain text.
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub error: Option<Bilingual>,
    #[serde(default)]
    pub errcode: Option<i64>,
    /// The trial version's QR code is kept (blob `qr/<site>/trial.png`).
    #[serde(default)]
    pub trial_qr: bool,
    #[serde(default)]
    pub releasing: bool,
    #[serde(default)]
    pub released: bool,
    /// Category of the review request (from `get_category`).
    #[serde(default)]
    pub category: Option<(String, String, i64, i64)>,
}

impl Run {
    pub fn step(&self, name: StepName) -> Option<&Step> {
        self.steps.iter().find(|s| s.name == name)
    }

    pub fn step_mut(&mut self, name: StepName) -> &mut Step {
        if let Some(i) = self.steps.iter().position(|s| s.name == name) {
            return &mut self.steps[i];
        }
        self.steps.push(Step {
            name,
            state: StepState::Pending,
            note: None,
        });
        self.steps.last_mut().expect("just pushed")
    }

    pub fn is_done(&self, name: StepName) -> bool {
        self.step(name).is_some_and(|s| s.state == StepState::Done)
    }

    /// Still moving by itself (not failed, not waiting for a person).
    pub fn is_active(&self) -> bool {
        self.error.is_none()
            && !self.released
            && !matches!(
                self.review,
                Review::Approved | Review::Rejected | Review::Withdrawn
            )
    }
}

/// What is live in WeChat.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Live {
    pub version: u64,
    pub user_version: String,
    pub released_at: String,
    pub by: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PublishState {
    pub run: Option<Run>,
    pub live: Option<Live>,
}

/// The mini program connected to a site, as shown.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ConnectionView {
    pub appid: String,
    pub nick_name: String,
    pub head_img: String,
    pub principal_name: String,
    pub permission_sets: Vec<i64>,
    pub connected: bool,
    pub warnings: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionKind {
    Commit,
    Export,
    Release,
    Rollback,
    Restore,
    /// The draft as it was before an agency's bulk change (restoring it undoes the change).
    BeforeChange,
}

impl VersionKind {
    pub fn label(self, lang: Lang) -> &'static str {
        let (en, zh) = match self {
            VersionKind::Commit => ("Uploaded to WeChat", "上传到微信"),
            VersionKind::Export => ("Exported", "导出"),
            VersionKind::Release => ("Released", "发布上线"),
            VersionKind::Rollback => ("Rolled back", "回退"),
            VersionKind::Restore => ("Draft before a restore", "恢复前的草稿"),
            VersionKind::BeforeChange => {
                ("Draft before the agency's change", "服务商批量修改前的草稿")
            }
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// A version as listed (the snapshot itself stays on the server).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionView {
    pub n: u64,
    pub kind: VersionKind,
    /// For a release or rollback: the version that went live.
    pub of: Option<u64>,
    pub by: String,
    pub at: String,
    pub ok: bool,
    pub errcode: Option<i64>,
    pub error: Option<String>,
    pub user_version: Option<String>,
    pub has_snapshot: bool,
    /// What changed since the version before it that has a snapshot, in words.
    #[serde(default)]
    pub changes: Vec<String>,
}

/// Everything the publish screen shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublishView {
    pub site_id: String,
    pub site_name: String,
    pub merchant_id: String,
    /// The agency has set up its platform.
    pub platform_ready: bool,
    pub connection: Option<ConnectionView>,
    pub state: PublishState,
    /// `{public_url}/s/{site_id}`: what the link QR code opens.
    pub link_url: String,
    pub versions: Vec<VersionView>,
    pub may_publish: bool,
}

/// The agency's platform settings as its settings page shows them: never a secret.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlatformView {
    pub component_appid: String,
    /// Whether a secret, token and key are stored (they are never shown back).
    pub secrets_set: bool,
    pub templates: Vec<(String, String)>,
    pub contact_email: String,
    pub contact_phone: String,
    pub auto_release: bool,
    /// What to enter in the WeChat Open Platform: the two push addresses.
    pub events_url: String,
    pub messages_url: String,
    /// When WeChat last pushed a verify ticket (unix seconds), if ever.
    pub ticket_at: Option<i64>,
}
