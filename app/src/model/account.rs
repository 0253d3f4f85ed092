//! Who is signed in and what they may see: agencies, merchants, users and site summaries.
use super::theme::ThemeKind;
use crate::i18n::{Lang, Text};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// Runs mini programs for many merchants; sees every merchant of its agency; manages its
    /// users and settings.
    AgencyAdmin,
    /// Edits and publishes every merchant's sites of its agency; no users, no settings.
    AgencyStaff,
    /// A merchant's owner: sees only its own merchant, edits and publishes.
    Merchant,
    /// Edits its merchant's sites; does not publish.
    MerchantStaff,
}

impl Role {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Role::AgencyAdmin => lang.t(Text::RoleAgencyAdmin),
            Role::AgencyStaff => lang.t(Text::RoleAgencyStaff),
            Role::Merchant => lang.t(Text::RoleMerchant),
            Role::MerchantStaff => lang.t(Text::RoleMerchantStaff),
        }
    }

    /// An agency's user (admin or staff): sees all its merchants.
    pub fn is_agency(self) -> bool {
        matches!(self, Role::AgencyAdmin | Role::AgencyStaff)
    }

    /// May connect, publish, release and roll back.
    pub fn may_publish(self) -> bool {
        self != Role::MerchantStaff
    }
}

/// The signed-in user as the UI sees it (never carries the password hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: String,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub agency_id: String,
    pub agency_name: String,
    /// Set for merchant users: the one merchant they belong to.
    pub merchant_id: Option<String>,
    pub lang: Lang,
}

impl UserView {
    /// Where this user lands after logging in.
    pub fn home_path(&self) -> String {
        match (&self.role, &self.merchant_id) {
            (Role::Merchant | Role::MerchantStaff, Some(id)) => format!("/merchants/{id}"),
            _ => "/agency".to_string(),
        }
    }
}

/// What every page needs to know about the visitor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SessionInfo {
    pub user: Option<UserView>,
    /// Anti-CSRF token; every form and state-changing call sends it back.
    pub csrf: String,
    pub lang: Lang,
    /// The agency's own look, for its users and merchants and on its own domain.
    #[serde(default)]
    pub brand: Option<Brand>,
}

/// An agency's white label: its name, colour and logo instead of mpforge's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Brand {
    pub name: String,
    /// `#rrggbb`
    pub color: Option<String>,
    /// Where the logo is served (content-addressed).
    pub logo: Option<String>,
}

/// The agency's white-label settings as its settings page shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BrandView {
    pub name: String,
    pub color: String,
    pub domain: String,
    pub logo: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantView {
    pub id: String,
    pub name: String,
    /// Login of the merchant's own user.
    pub login: String,
    pub site_count: usize,
    /// RFC 3339.
    pub created_at: String,
    /// Paused by the agency: its users cannot sign in.
    #[serde(default)]
    pub paused: bool,
    /// Deleted: the last day it can be restored (`YYYY-MM-DD`).
    #[serde(default)]
    pub restorable_until: Option<String>,
}

/// Result of creating a merchant: a generated password is shown exactly once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantCreated {
    pub merchant: MerchantView,
    pub generated_password: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteSummary {
    pub id: String,
    pub merchant_id: String,
    pub name: String,
    pub template: ThemeKind,
    /// RFC 3339.
    pub updated_at: String,
    #[serde(default)]
    pub archived: bool,
    /// Deleted: the last day it can be restored (YYYY-MM-DD).
    #[serde(default)]
    pub restorable_until: Option<String>,
}

/// A merchant page's data: the merchant and its sites.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantHome {
    pub merchant: MerchantView,
    /// In use and archived, newest first.
    pub sites: Vec<SiteSummary>,
    /// Deleted and still restorable, most recently deleted first.
    #[serde(default)]
    pub deleted: Vec<SiteSummary>,
    /// The merchant's staff (shown to its owner and to agency admins).
    #[serde(default)]
    pub staff: Vec<MemberView>,
    /// What its mini programs brought in that needs doing.
    #[serde(default)]
    pub counts: crate::model::inbox::Counts,
}

/// A scripting-API token as its agency's settings list it (never the token itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenView {
    pub id: String,
    pub name: String,
    /// RFC 3339.
    pub created_at: String,
    /// The admin who made it.
    pub created_by: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// A member of an agency's team (an agency admin or staff, or a merchant's staff).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user_id: String,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub merchant_id: Option<String>,
    /// RFC 3339.
    pub added_at: String,
    pub added_by: String,
}

/// The agency's users page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamView {
    pub members: Vec<MemberView>,
}

/// What an invitation link offers, shown before joining.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteView {
    pub agency_name: String,
    pub merchant_name: Option<String>,
    pub role: Role,
    pub invited_by: String,
}

/// One line of the audit log as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    /// RFC 3339.
    pub at: String,
    /// `login`, `login_failed`, `site_saved`, `agency_edited_site`, `publish_start`, …
    pub action: String,
    /// Who, and what about.
    pub detail: String,
    pub site_id: Option<String>,
}

/// One row of a merchant import as checked or done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRowView {
    /// The line of the file (the header is line 1).
    pub line: usize,
    pub name: String,
    pub login: String,
    /// The first site's name, when the row asks for one.
    pub site: Option<String>,
    /// Everything wrong with the row, in the reader's language; empty when it can be imported.
    pub problems: Vec<String>,
}
