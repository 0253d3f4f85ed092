//! A small WXML interpreter: renders the theme's own WXML sources to HTML, so the H5 preview
//! the editor shows comes from the very templates the mini program uses (one source per
//! block). It understands what the themes use: `{{ }}` bindings with a JavaScript expression
//! subset, `wx:if` / `wx:elif` / `wx:else`, `wx:for` (with `wx:for-item`, `wx:for-index`),
//! `<block>`, `<import>` and `<template name|is data>`.
//!
//! Every value that reaches the HTML is escaped: merchant text stays text here too.
mod expr;
mod render;
mod xml;

pub use render::{escape, rpx_to_px, RenderHooks, WxmlPage};

#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct WxmlError {
    pub file: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::expr::{eval, parse_expr, Scope};
    use super::xml::fill_bare_attributes;
    use super::*;
    use serde_json::json;
    use serde_json::Value;
    use std::collections::BTreeMap;

    fn render(src: &str, data: Value) -> String {
        let files = BTreeMap::from([("p.wxml".to_string(), src.to_string())]);
        let page = WxmlPage::load(&files, "p.wxml").unwrap();
        page.render(
            &data,
            &RenderHooks {
                image_url: &|s| Some(format!("/m/{s}")),
                mark_blocks: true,
            },
        )
    }

    #[test]
    fn expressions_follow_javascript() {
        let scope = json!({"a": {"b": [1, 2, 3]}, "s": "x", "n": 0, "t": "", "k": "grid"});
        let scope = Scope::root(&scope);
        let e = |src: &str| eval(&parse_expr(src, false).unwrap(), &scope).into_owned();
        assert_eq!(e("a.b.length > 1"), json!(true));
        assert_eq!(e("a.b[1] + 1"), json!(3));
        assert_eq!(e("'block_' + k"), json!("block_grid"));
        assert_eq!(e("t || 'fallback'"), json!("fallback"));
        assert_eq!(e("n ? 'yes' : 'no'"), json!("no"));
        assert_eq!(e("!missing && s"), json!("x"));
        assert_eq!(e("[s, 1]"), json!(["x", 1]));
        assert_eq!(e("s.length"), json!(1));
        assert_eq!(e("a.missing.deeper"), Value::Null);
        assert_eq!(e("2 * 3 - 1 === 5"), json!(true));
        assert!(parse_expr("a +", false).is_err());
        assert!(parse_expr("a b", false).is_err());
    }

    #[test]
    fn conditions_loops_and_templates() {
        let src = r#"<template name="t_x"><text class="x {{on ? 'on' : ''}}">{{label}}!</text></template>
<view wx:for="{{blocks}}" wx:key="id"><template is="{{'t_' + item.kind}}" data="{{label: item.label, on: index === 0}}"/></view>
<view wx:if="{{n > 5}}">big</view><view wx:elif="{{n > 1}}">mid</view><view wx:else>small</view>
<block wx:for="{{[1,2]}}" wx:for-item="v" wx:for-index="i"><text>{{i}}:{{v}} </text></block>"#;
        let html = render(
            src,
            json!({"n": 3, "blocks": [{"id": "b1", "kind": "x", "label": "A"}, {"id": "b2", "kind": "x", "label": "B"}]}),
        );
        assert!(html.contains(r#"<div class="mpf-block" data-mpf-block="b1" data-mpf-kind="x"><div class="wx-view"><span class="wx-text x on">A!</span>"#), "{html}");
        assert!(
            html.contains(r#"<span class="wx-text x">B!</span>"#),
            "{html}"
        );
        assert!(
            html.contains(">mid<") && !html.contains("big") && !html.contains("small"),
            "{html}"
        );
        assert!(
            html.contains("0:1 </span><span class=\"wx-text\">1:2 "),
            "{html}"
        );
    }

    #[test]
    fn merchant_text_is_escaped_everywhere() {
        let hostile = "</view><script>alert(1)</script>{{x}}\"'&";
        let html = render(
            r#"<view class="{{c}}" style="height: {{h}}rpx"><text>{{t}}</text><image src="{{t}}" mode="aspectFill"/></view>"#,
            json!({"t": hostile, "c": hostile, "h": "1\"onclick=\"x"}),
        );
        assert!(
            !html.contains("<script>") && !html.contains("</view>"),
            "{html}"
        );
        assert!(!html.contains("\"onclick"), "{html}");
        assert!(html.contains("&lt;/view&gt;&lt;script&gt;"), "{html}");
        assert!(
            html.contains("{{x}}"),
            "bindings inside data stay text: {html}"
        );
    }

    #[test]
    fn bare_attributes_get_empty_values() {
        assert_eq!(
            fill_bare_attributes(
                r#"<!-- a <b c> --><view wx:else class="a b" x = "1"><text selectable>t > u</text></view>"#
            ),
            r#"<!-- a <b c> --><view wx:else="" class="a b" x = "1"><text selectable="">t > u</text></view>"#
        );
    }

    #[test]
    fn rpx_becomes_px_at_phone_width() {
        assert_eq!(
            rpx_to_px("margin: 24rpx 8rpx 0; height: 1rpx"),
            "margin: 12px 4px 0; height: 0.5px"
        );
        assert_eq!(
            rpx_to_px("width: 33.33%; h2: 3rpx"),
            "width: 33.33%; h2: 1.5px"
        );
    }

    #[test]
    fn broken_wxml_names_the_file() {
        let files = BTreeMap::from([("p.wxml".to_string(), "<view>{{a +}}</view>".to_string())]);
        let err = WxmlPage::load(&files, "p.wxml").unwrap_err().to_string();
        assert!(err.starts_with("p.wxml:"), "{err}");
        let files =
            BTreeMap::from([("p.wxml".to_string(), "<import src=\"x.wxml\"/>".to_string())]);
        let err = WxmlPage::load(&files, "p.wxml").unwrap_err().to_string();
        assert!(err.contains("x.wxml does not exist"), "{err}");
    }
}
