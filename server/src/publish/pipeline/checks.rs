//! What a publish checks before it commits (the checklist, each item saying what to do and
//! where) and the privacy guideline it writes.
use super::super::connect;
use super::check_fail;
use crate::state::AppState;
use crate::wechat::client::PrivacyItem;
use crate::wechat::errors::WxError;
use crate::wechat::platform::{Platform, CODE_MANAGEMENT};
use crate::wechat::tokens;
use app::i18n::Lang;
use app::model::publish::{Bilingual, Check};
use app::model::site::Site;

/// What each privacy key is used for, as the guideline tells the customer.
fn privacy_text(key: &str) -> &'static str {
    match key {
        "UserInfo" => "展示您的昵称和头像",
        "Location" => "为您显示附近门店和距离",
        "Address" => "填写配送地址",
        "PhoneNumber" => "联系您确认订单和预约",
        "Album" | "AlbumWriteOnly" => "保存和上传图片",
        "Camera" => "拍摄照片",
        "Record" => "录制语音",
        "Contact" | "Email" => "联系您",
        _ => "提供小程序中的相应功能",
    }
}

/// Every item a publish needs, each saying what to do and where; with the review category.
pub(super) async fn checklist(
    state: &AppState,
    p: &Platform,
    record: &crate::storage::Site,
    site: &Site,
) -> (Vec<Check>, Option<(String, String, i64, i64)>) {
    let store = &*state.store;
    let wx = &state.wx;
    let edit = Some(format!("/sites/{}/edit", record.id));
    let wechat = Some(format!("/sites/{}/publish", record.id));
    let mut checks = Vec::new();
    let mut item = |key: &str, ok: bool, en: String, zh: String, link: Option<String>| {
        checks.push(Check {
            key: key.into(),
            ok,
            message: Bilingual::new(en, zh),
            link,
        })
    };
    let problems = site.validate(Lang::En);
    let problems_zh = site.validate(Lang::Zh);
    match problems.first() {
        None => item(
            "site",
            true,
            "The site is complete.".into(),
            "网站内容完整。".into(),
            None,
        ),
        Some(first) => item(
            "site",
            false,
            format!(
                "The site has {} problem(s) to fix in the editor, first: {}",
                problems.len(),
                first.message
            ),
            format!(
                "网站有 {} 个问题需要在编辑器中修正,第一个:{}",
                problems.len(),
                problems_zh
                    .first()
                    .map(|p| p.message.as_str())
                    .unwrap_or("")
            ),
            edit,
        ),
    }
    let template = p.templates.get(record.template.slug()).copied();
    item(
        "template",
        template.is_some(),
        match template {
            Some(id) => format!("The {} template is #{id} in the platform's library.", record.template.slug()),
            None => format!("No platform template is set for the {} theme: upload `mpforge template --theme {0}` and enter its id in the agency's WeChat settings.", record.template.slug()),
        },
        match template {
            Some(id) => format!("{} 模板为模板库中的 #{id}。", record.template.slug()),
            None => format!("尚未设置 {} 主题的平台模板:上传 `mpforge template --theme {0}` 并在服务商微信设置中填写模板 ID。", record.template.slug()),
        },
        Some("/agency/wechat".into()),
    );
    let conn = match connect::connected(store, record.id).await {
        Ok(c) => c,
        Err(e) => {
            checks.push(check_fail("connected", &e, wechat));
            return (checks, None);
        }
    };
    item(
        "connected",
        true,
        format!("Connected to {} ({}).", conn.nick_name, conn.appid),
        format!("已连接 {}({})。", conn.nick_name, conn.appid),
        None,
    );
    let granted = conn.permission_sets.contains(&CODE_MANAGEMENT);
    item(
        "permissions",
        granted,
        if granted {
            "Code management is granted.".into()
        } else {
            "Code management (permission set 18) was not granted: connect again and tick every permission.".into()
        },
        if granted {
            "已授权代码管理权限。".into()
        } else {
            "未授权代码管理权限(权限集 18):请重新连接并勾选全部权限。".into()
        },
        wechat.clone(),
    );
    if !granted {
        return (checks, None);
    }
    // Fresh name and avatar from WeChat (the merchant may have set them since connecting).
    let conn = connect::refresh_info(state, p, record.id, &conn.appid)
        .await
        .unwrap_or(conn);
    let named = !conn.nick_name.trim().is_empty() && !conn.head_img.trim().is_empty();
    item(
        "profile",
        named,
        if named {
            "The mini program has a name and an avatar.".into()
        } else {
            "Set the mini program's name and avatar in its WeChat admin (mp.weixin.qq.com → Settings → Basic settings).".into()
        },
        if named {
            "小程序已设置名称和头像。".into()
        } else {
            "请在小程序后台(mp.weixin.qq.com → 设置 → 基本设置)设置名称和头像。".into()
        },
        Some("https://mp.weixin.qq.com".into()),
    );
    let appid = conn.appid.as_str();
    let categories = tokens::with_authorizer(store, wx, p, appid, |t| async move {
        wx.client.get_category(&t).await
    })
    .await;
    let category = match categories {
        Ok(list) => match list.into_iter().next() {
            Some(c) => {
                item(
                    "category",
                    true,
                    format!("Review category: {} › {}.", c.first_class, c.second_class),
                    format!("审核类目:{} › {}。", c.first_class, c.second_class),
                    None,
                );
                Some((c.first_class, c.second_class, c.first_id, c.second_id))
            }
            None => {
                item("category", false, "The mini program has no service category: add one in its WeChat admin (Settings → Service categories).".into(), "小程序还没有服务类目:请在小程序后台(设置 → 服务类目)添加。".into(), Some("https://mp.weixin.qq.com".into()));
                None
            }
        },
        Err(e) => {
            item(
                "category",
                false,
                e.message(Lang::En),
                e.message(Lang::Zh),
                None,
            );
            None
        }
    };
    // mpforge (pictures, and the orders API unless the merchant has their own), and the
    // merchant's own API.
    let mut wanted = vec![wx.public_url.clone()];
    if let Some(own) = site
        .api_base
        .as_deref()
        .and_then(crate::http::session::origin_of)
    {
        if !wanted.contains(&own) {
            wanted.push(own);
        }
    }
    let domain = wanted.join(", ");
    let domains = tokens::with_authorizer(store, wx, p, appid, |t| {
        let d = wanted.clone();
        async move { wx.client.add_domains(&t, &d).await }
    })
    .await;
    match domains {
        Ok(()) => item(
            "domains",
            true,
            format!("Server domain {domain} is set."),
            format!("已设置服务器域名 {domain}。"),
            None,
        ),
        Err(e) => item(
            "domains",
            false,
            format!(
                "Setting the server domain {domain} failed: {}",
                e.message(Lang::En)
            ),
            format!("设置服务器域名 {domain} 失败:{}", e.message(Lang::Zh)),
            Some("/agency/wechat".into()),
        ),
    }
    match privacy(state, p, appid).await {
        Ok(keys) => item(
            "privacy",
            true,
            format!("The privacy guideline is set ({} purpose(s)).", keys),
            format!("已设置用户隐私保护指引({} 项)。", keys),
            None,
        ),
        Err(e) => item(
            "privacy",
            false,
            format!(
                "Setting the privacy guideline failed: {}",
                e.message(Lang::En)
            ),
            format!("设置用户隐私保护指引失败:{}", e.message(Lang::Zh)),
            Some("/agency/wechat".into()),
        ),
    }
    (checks, category)
}

/// Writes the privacy guideline: the agency's contact, and a purpose for every key the code
/// uses (as WeChat found it) and every key already set. Returns how many keys it covers.
pub(super) async fn privacy(state: &AppState, p: &Platform, appid: &str) -> Result<usize, WxError> {
    let store = &*state.store;
    let wx = &state.wx;
    let current = tokens::with_authorizer(store, wx, p, appid, |t| async move {
        wx.client.get_privacy_setting(&t).await
    })
    .await?;
    let mut keys: Vec<String> = current.privacy_list.clone();
    for s in &current.setting_list {
        if !keys.contains(&s.privacy_key) {
            keys.push(s.privacy_key.clone());
        }
    }
    let items: Vec<PrivacyItem> = keys
        .iter()
        .map(|k| PrivacyItem {
            privacy_key: k.clone(),
            privacy_text: privacy_text(k).into(),
        })
        .collect();
    let owner = serde_json::json!({
        "contact_email": p.contact_email,
        "contact_phone": p.contact_phone,
        "notice_method": "弹窗提示",
        "store_expire_timestamp": "30天",
    });
    tokens::with_authorizer(store, wx, p, appid, |t| {
        let (owner, items) = (owner.clone(), items.clone());
        async move { wx.client.set_privacy_setting(&t, &owner, &items).await }
    })
    .await?;
    Ok(items.len())
}
