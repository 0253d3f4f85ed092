//! Calls for a merchant's customers: signing in from the mini program
//! (`/sns/component/jscode2session`) and sending them subscribe messages
//! (`/cgi-bin/message/subscribe/send`).
use super::{str_field, Client, Token};
use crate::wechat::errors::WxError;
use serde_json::{json, Value};

/// A subscribe message to one customer.
#[derive(Clone, Debug, PartialEq)]
pub struct SubscribeMessage {
    pub touser: String,
    pub template_id: String,
    /// The page it opens (`pages/orders/index`).
    pub page: String,
    /// `{keyword: text}`, as the template names its keywords.
    pub data: Vec<(String, String)>,
    /// `formal`, `trial` or `developer`: which version of the mini program it opens.
    pub state: &'static str,
    /// `zh_CN` or `en_US`.
    pub lang: &'static str,
}

impl Client {
    /// The customer's openid for the code `wx.login` gave the mini program `appid` (the
    /// session key WeChat sends with it is not kept: mpforge decrypts nothing of the user's).
    pub async fn code_to_openid(
        &self,
        ctoken: &str,
        component_appid: &str,
        appid: &str,
        code: &str,
    ) -> Result<String, WxError> {
        let v: Value = self
            .call(
                "jscode2session",
                "/sns/component/jscode2session",
                Token::Component(ctoken),
                &[
                    ("appid", appid),
                    ("js_code", code),
                    ("grant_type", "authorization_code"),
                    ("component_appid", component_appid),
                ],
                None,
            )
            .await?;
        str_field("jscode2session", &v, "openid")
    }

    /// Sends a subscribe message.
    pub async fn send_subscribe(&self, atoken: &str, m: &SubscribeMessage) -> Result<(), WxError> {
        let data: serde_json::Map<String, Value> = m
            .data
            .iter()
            .map(|(k, v)| (k.clone(), json!({ "value": v })))
            .collect();
        let _: Value = self
            .call(
                "subscribe_send",
                "/cgi-bin/message/subscribe/send",
                Token::Access(atoken),
                &[],
                Some(
                    &json!({"touser": m.touser, "template_id": m.template_id, "page": m.page,
                    "data": data, "miniprogram_state": m.state, "lang": m.lang}),
                ),
            )
            .await?;
        Ok(())
    }
}
