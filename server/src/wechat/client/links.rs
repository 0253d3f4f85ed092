//! QR codes and links for a merchant's mini program: the official code, and "scan an ordinary
//! link QR code to open the mini program" (`qrcodejump*`, WECHAT-PLATFORM §6).
use super::{Client, CodeRequest, Token};
use crate::wechat::errors::WxError;
use serde_json::{json, Value};

impl Client {
    /// The official mini program code (`getwxacodeunlimit`): PNG bytes.
    pub async fn wxa_code(&self, atoken: &str, req: &CodeRequest) -> Result<Vec<u8>, WxError> {
        self.call_binary(
            "getwxacodeunlimit",
            "/wxa/getwxacodeunlimit",
            Token::Access(atoken),
            &[],
            Some(&serde_json::to_value(req).expect("serialises")),
        )
        .await
    }

    /// Registers and publishes "scan an ordinary link QR code to open the mini program" for
    /// links under `prefix`, opening `path`.
    pub async fn qrcode_jump(&self, atoken: &str, prefix: &str, path: &str) -> Result<(), WxError> {
        let _: Value = self
            .call(
                "qrcodejumpadd",
                "/cgi-bin/wxopen/qrcodejumpadd",
                Token::Access(atoken),
                &[],
                Some(
                    &json!({"prefix": prefix, "permit_sub_rule": 1, "path": path,
                    "open_version": 3, "debug_url": [], "is_edit": 0}),
                ),
            )
            .await?;
        let _: Value = self
            .call(
                "qrcodejumppublish",
                "/cgi-bin/wxopen/qrcodejumppublish",
                Token::Access(atoken),
                &[],
                Some(&json!({"prefix": prefix})),
            )
            .await?;
        Ok(())
    }

    /// The verification file WeChat looks for in the link prefix's directory:
    /// `(file_name, file_content)`.
    pub async fn qrcode_jump_file(&self, atoken: &str) -> Result<(String, String), WxError> {
        let v: Value = self
            .call(
                "qrcodejumpdownload",
                "/cgi-bin/wxopen/qrcodejumpdownload",
                Token::Access(atoken),
                &[],
                Some(&json!({})),
            )
            .await?;
        let field = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| WxError::Decode {
                    call: "qrcodejumpdownload",
                    message: format!("no `{k}`"),
                })
        };
        Ok((field("file_name")?, field("file_content")?))
    }
}
