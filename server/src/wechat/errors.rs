//! WeChat's errcodes as typed errors, each with what a merchant can do about it in English and
//! 简体中文 (WECHAT-PLATFORM §4.3). The raw errmsg is kept for the logs and the version record.
use app::i18n::Lang;

/// Codes that mean "the token is stale": refresh it once and try again.
pub const TOKEN_CODES: [i64; 3] = [40001, 40014, 42001];

#[derive(Clone, Debug, thiserror::Error, PartialEq)]
pub enum WxError {
    /// WeChat answered with an errcode.
    #[error("{call}: WeChat errcode {code}: {errmsg}")]
    Api {
        call: &'static str,
        code: i64,
        errmsg: String,
    },
    /// WeChat could not be reached, or did not answer in time.
    #[error("{call}: WeChat did not answer: {message}")]
    Network { call: &'static str, message: String },
    /// WeChat answered something this client cannot read.
    #[error("{call}: unreadable answer from WeChat: {message}")]
    Decode { call: &'static str, message: String },
    /// Something mpforge needs first is missing (settings, ticket, connection).
    #[error("{0}")]
    Setup(String),
}

impl WxError {
    pub fn code(&self) -> Option<i64> {
        match self {
            WxError::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    pub fn is_token_error(&self) -> bool {
        self.code().is_some_and(|c| TOKEN_CODES.contains(&c))
    }

    /// Worth trying again later: WeChat busy or unreachable, a token to refresh, the privacy
    /// scan still running, "do not submit so often". Everything else needs someone to act.
    pub fn is_transient(&self) -> bool {
        match self {
            WxError::Network { .. } => true,
            WxError::Api { code, .. } => {
                matches!(code, -1 | 61039 | 9402202 | 89401) || TOKEN_CODES.contains(code)
            }
            _ => false,
        }
    }

    /// What the merchant reads: the meaning and what to do, then the code for support.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            WxError::Api { code, errmsg, .. } => match explain(*code, lang) {
                Some(text) => format!("{text} (errcode {code})"),
                None => match lang {
                    Lang::Zh => format!("微信返回错误 {code}:{errmsg}"),
                    Lang::En => format!("WeChat refused the request (errcode {code}: {errmsg})"),
                },
            },
            WxError::Network { .. } => match lang {
                Lang::Zh => "暂时无法连接微信,稍后会自动重试。".into(),
                Lang::En => "WeChat could not be reached; mpforge will try again shortly.".into(),
            },
            WxError::Decode { message, .. } => match lang {
                Lang::Zh => format!("微信返回了无法识别的内容:{message}"),
                Lang::En => format!("WeChat sent an answer mpforge cannot read: {message}"),
            },
            WxError::Setup(m) => m.clone(),
        }
    }
}

/// The meaning of `code` and what to do, in `lang`, for the codes a merchant or agency meets.
pub fn explain(code: i64, lang: Lang) -> Option<&'static str> {
    let (en, zh) = match code {
        -1 => ("WeChat is busy; mpforge will try again.", "微信系统繁忙,稍后会自动重试。"),
        40001 | 40014 | 42001 => ("The WeChat access token had expired; it was renewed.", "微信访问令牌已过期,已自动更新。"),
        40013 => ("The AppID is not valid: check the platform settings.", "AppID 无效,请检查第三方平台设置。"),
        40097 | 40129 | 40159 | 40169 => ("WeChat refused the QR code's page or parameters.", "微信拒绝了小程序码的页面或参数。"),
        41030 => ("That page is not in the released version yet: release first.", "该页面不在线上版本中,请先发布。"),
        45009 => ("Today's WeChat quota for this call is used up; try again tomorrow.", "该接口今日调用次数已用完,请明天再试。"),
        45029 => ("The lifetime limit of QR codes of this kind is reached.", "该类型小程序码已达数量上限。"),
        48001 | 61007 => ("The mini program did not grant this permission to the agency's platform: authorize again and tick every permission.", "小程序未把该权限授权给服务商平台,请重新授权并勾选全部权限。"),
        61003 => ("The mini program is not authorized to the agency's platform: connect it again.", "小程序未授权给服务商平台,请重新连接。"),
        61004 => ("This server's IP address is not on the platform's IP whitelist in the WeChat Open Platform.", "服务器 IP 不在第三方平台的白名单中,请在微信开放平台添加。"),
        61005 | 61006 => ("The platform's verify ticket is missing or expired: check that WeChat can reach the events address.", "第三方平台的验证票据缺失或过期,请确认微信能访问授权事件接收地址。"),
        61010 => ("The authorization code expired: connect the mini program again.", "授权码已过期,请重新连接小程序。"),
        61023 => ("The merchant cancelled the authorization: connect the mini program again.", "商家已取消授权,请重新连接小程序。"),
        61039 => ("WeChat is still checking the code for privacy APIs; mpforge waits and tries again.", "微信正在检测代码中的隐私接口,系统会稍后自动重试。"),
        61040 => ("The code uses a privacy API that is not declared or not permitted: check the privacy guideline.", "代码使用了未声明或未获准的隐私接口,请检查用户隐私保护指引。"),
        85009 => ("A version is already in review: wait for the result or withdraw it.", "已有版本正在审核中,请等待结果或撤回。"),
        85010 | 85011 | 85023 => ("The review request is missing a page, title or category.", "提交审核缺少页面、标题或类目。"),
        85013 | 85043 | 85045 | 85046 | 85047 | 85048 => ("The mini program's configuration (ext.json) was refused: regenerate the site or contact support.", "小程序配置(ext.json)被拒绝,请重新生成或联系客服。"),
        85014 => ("The theme's template is not in the platform's template library: check the template ids in the platform settings.", "模板库中没有该模板,请检查第三方平台设置中的模板 ID。"),
        85044 => ("The code package is too large.", "代码包超过大小限制。"),
        85017 | 85018 => ("The server domain is not registered on the agency's platform.", "服务器域名未在第三方平台登记。"),
        85019 => ("There is no approved version to release.", "没有审核通过的版本可发布。"),
        85020 => ("The version has not passed review, so it cannot be released.", "该版本尚未审核通过,不能发布。"),
        85052 => ("This version is already released.", "该版本已发布。"),
        85077 => ("The chosen category is no longer valid: pick a category in the mini program's settings.", "所选类目已失效,请在小程序后台重新设置类目。"),
        85085 => ("The platform's monthly review quota is used up: try again next month or ask WeChat for more.", "本月提审额度已用完,请下月再试或申请增加额度。"),
        85086 => ("WeChat needs the code committed and the privacy guideline set before review.", "提交审核前需先上传代码并设置隐私保护指引。"),
        86002 => ("Set the mini program's name, avatar and introduction in its WeChat admin first.", "请先在小程序后台设置名称、头像和简介。"),
        86007..=86010 => ("WeChat does not allow this mini program or platform to submit at the moment.", "微信暂不允许该小程序或平台提交审核。"),
        87011 => ("A gradual release is running, so the release cannot be rolled back.", "正在灰度发布,不能回退。"),
        87012 => ("This version cannot be rolled back to (only versions released through the platform can).", "该版本不能回退(只能回退到通过平台发布的版本)。"),
        87013 => ("No withdrawals left today or this month.", "今日或本月撤回次数已用完。"),
        85066..=85075 | 85095 => ("WeChat refused the link rule for scanning ordinary QR codes.", "微信拒绝了扫普通链接二维码规则。"),
        886000 => ("The monthly limit of link rule publications is reached.", "本月发布扫码规则次数已用完。"),
        9402202 => ("WeChat asks to wait for the previous operation to finish.", "请勿频繁提交,待上一次操作完成后再提交。"),
        _ => return None,
    };
    Some(match lang {
        Lang::Zh => zh,
        Lang::En => en,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errcodes_read_in_both_languages_and_unknown_ones_keep_wechats_words() {
        let e = WxError::Api {
            call: "submit_audit",
            code: 85085,
            errmsg: "submit audit reach limit, please try later".into(),
        };
        assert!(e.message(Lang::En).contains("review quota"));
        assert!(e.message(Lang::Zh).contains("提审额度"));
        assert!(!e.is_transient());
        let odd = WxError::Api {
            call: "x",
            code: 12345,
            errmsg: "odd".into(),
        };
        assert!(odd.message(Lang::En).contains("12345: odd"));
        assert!(WxError::Api {
            call: "x",
            code: 42001,
            errmsg: String::new()
        }
        .is_token_error());
        assert!(WxError::Network {
            call: "x",
            message: "timeout".into()
        }
        .is_transient());
    }
}
