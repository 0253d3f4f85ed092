//! The rendering layer: a page and the templates it imports, turned into escaped HTML for the
//! preview (`<view>` becomes a `div` with WeChat's look, and so on).
use super::expr::{eval, member, to_text, truthy, Expr, Part, Scope};
use super::xml::{parse_file, resolve, Element, Node};
use super::WxmlError;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write;

/// A page's WXML with the templates it imports, parsed once and rendered many times.
#[derive(Debug, Clone)]
pub struct WxmlPage {
    pub(super) body: Vec<Node>,
    pub(super) templates: BTreeMap<String, Element>,
}

/// What the caller wants beyond plain rendering.
pub struct RenderHooks<'a> {
    /// Image `src` → URL for the preview (`None` draws an empty placeholder).
    pub image_url: &'a dyn Fn(&str) -> Option<String>,
    /// Wrap each item of the page's `wx:for="{{blocks}}"` in an element carrying its id, so the
    /// editor can select blocks in the preview.
    pub mark_blocks: bool,
}

impl WxmlPage {
    /// Parses `path` from `files` (package path → source) and the files it imports.
    pub fn load(files: &BTreeMap<String, String>, path: &str) -> Result<Self, WxmlError> {
        let source = files.get(path).ok_or_else(|| WxmlError {
            file: path.to_string(),
            message: "no such file".into(),
        })?;
        let body = parse_file(path, source)?;
        let mut templates = BTreeMap::new();
        let mut pending: Vec<(String, Vec<Node>)> = vec![(path.to_string(), body.clone())];
        let mut seen = vec![path.to_string()];
        while let Some((file, nodes)) = pending.pop() {
            for node in &nodes {
                let Node::Element(el) = node else { continue };
                match el.tag.as_str() {
                    "import" => {
                        let src = el.raw_attr("src").unwrap_or_default();
                        let target = resolve(&file, &src);
                        if seen.contains(&target) {
                            continue;
                        }
                        let text = files.get(&target).ok_or_else(|| WxmlError {
                            file: file.clone(),
                            message: format!("<import src=\"{src}\">: {target} does not exist"),
                        })?;
                        seen.push(target.clone());
                        let parsed = parse_file(&target, text)?;
                        pending.push((target, parsed));
                    }
                    "template" => {
                        if let Some(name) = el.raw_attr("name") {
                            templates.insert(name, el.clone());
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(WxmlPage { body, templates })
    }

    /// Renders with `data` (the page's `data`) as the root scope.
    pub fn render(&self, data: &Value, hooks: &RenderHooks) -> String {
        let scope = Scope::root(data);
        let mut out = String::new();
        let r = Renderer {
            page: self,
            hooks,
            depth: 0,
        };
        r.nodes(&self.body, &scope, &mut out, true);
        out
    }
}

pub(super) struct Renderer<'a> {
    pub(super) page: &'a WxmlPage,
    pub(super) hooks: &'a RenderHooks<'a>,
    pub(super) depth: usize,
}

/// HTML-escapes text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `12rpx` → `6px`: the preview phone is 375 CSS px wide, WXML's design width is 750 rpx.
pub fn rpx_to_px(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let bytes = css.as_bytes();
    let mut i = 0;
    while i < css.len() {
        let c = bytes[i];
        let starts_number =
            (c.is_ascii_digit() || c == b'.') && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric());
        if starts_number {
            let start = i;
            while i < css.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                i += 1;
            }
            let number = &css[start..i];
            if css[i..].starts_with("rpx") {
                let px = number.parse::<f64>().unwrap_or(0.0) / 2.0;
                let _ = write!(out, "{}px", (px * 100.0).round() / 100.0);
                i += 3;
            } else {
                out.push_str(number);
            }
        } else {
            let ch = css[i..].chars().next().expect("in bounds");
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// The HTML element a WXML component becomes in the preview.
pub(super) fn html_tag(tag: &str) -> &'static str {
    match tag {
        "text" | "icon" | "label" => "span",
        "image" => "img",
        "button" => "button",
        "input" => "input",
        "textarea" => "textarea",
        "navigator" => "a",
        _ => "div",
    }
}

impl Renderer<'_> {
    pub(super) fn nodes(&self, nodes: &[Node], scope: &Scope<'_>, out: &mut String, top: bool) {
        // `wx:elif` / `wx:else` look back at the chain of their preceding siblings.
        let mut chain_taken: Option<bool> = None;
        for node in nodes {
            match node {
                Node::Text(t) => {
                    if !t.is_literal_blank() {
                        out.push_str(&escape(&t.text(scope)));
                    }
                }
                Node::Element(el) => {
                    if top && matches!(el.tag.as_str(), "import" | "template" | "wxs") {
                        continue;
                    }
                    if let Some(cond) = el.attr("wx:if") {
                        let yes = truthy(&cond.value(scope));
                        chain_taken = Some(yes);
                        if yes {
                            self.element(el, scope, out);
                        }
                    } else if let Some(cond) = el.attr("wx:elif") {
                        if chain_taken == Some(false) {
                            let yes = truthy(&cond.value(scope));
                            chain_taken = Some(yes);
                            if yes {
                                self.element(el, scope, out);
                            }
                        }
                    } else if el.attr("wx:else").is_some() {
                        if chain_taken == Some(false) {
                            self.element(el, scope, out);
                        }
                        chain_taken = None;
                    } else {
                        chain_taken = None;
                        self.element(el, scope, out);
                    }
                }
            }
        }
    }

    /// An element after its `wx:if` chain passed: handles `wx:for`, then renders.
    pub(super) fn element(&self, el: &Element, scope: &Scope<'_>, out: &mut String) {
        let Some(list) = el.attr("wx:for") else {
            return self.single(el, scope, out);
        };
        let item_name = el.raw_attr("wx:for-item").unwrap_or_else(|| "item".into());
        let index_name = el
            .raw_attr("wx:for-index")
            .unwrap_or_else(|| "index".into());
        let list = list.value(scope);
        let items: Vec<Cow<Value>> = match list.as_ref() {
            Value::Array(a) => a.iter().map(Cow::Borrowed).collect(),
            Value::Object(o) => o.values().map(Cow::Borrowed).collect(),
            Value::Number(n) => (0..n.as_u64().unwrap_or(0).min(10_000))
                .map(|i| Cow::Owned(Value::from(i)))
                .collect(),
            Value::String(s) => s
                .chars()
                .map(|c| Cow::Owned(Value::String(c.to_string())))
                .collect(),
            _ => Vec::new(),
        };
        let marks_blocks = self.hooks.mark_blocks
            && self.depth == 0
            && el
                .attr("wx:for")
                .is_some_and(|l| l.0 == [Part::Expr(Expr::Var("blocks".into()))]);
        for (i, item) in items.into_iter().enumerate() {
            if marks_blocks {
                let id = to_text(&member(&item, "id"));
                let kind = to_text(&member(&item, "kind"));
                let _ = write!(
                    out,
                    "<div class=\"mpf-block\" data-mpf-block=\"{}\" data-mpf-kind=\"{}\">",
                    escape(&id),
                    escape(&kind)
                );
            }
            let inner = Scope {
                vars: vec![
                    (item_name.clone(), item),
                    (index_name.clone(), Cow::Owned(Value::from(i))),
                ],
                parent: Some(scope),
            };
            self.single(el, &inner, out);
            if marks_blocks {
                // The end marker lets the editor swap one block without parsing the page.
                out.push_str("</div><!--/mpf-->");
            }
        }
    }

    pub(super) fn single(&self, el: &Element, scope: &Scope<'_>, out: &mut String) {
        match el.tag.as_str() {
            "block" => return self.nodes(&el.children, scope, out, false),
            "template" => {
                if let Some(is) = el.attr("is") {
                    let name = is.text(scope);
                    if let Some(t) = self.page.templates.get(&name) {
                        // A template sees only its data; `{{a: x, b: y}}` borrows x and y.
                        let data = match el.attr("data").map(|d| d.0.as_slice()) {
                            Some([Part::Expr(Expr::Object(fields))]) => Scope {
                                vars: fields
                                    .iter()
                                    .map(|(k, e)| (k.clone(), eval(e, scope)))
                                    .collect(),
                                parent: None,
                            },
                            Some(_) => {
                                let v = el.attr("data").expect("matched").value(scope);
                                Scope {
                                    vars: v
                                        .as_object()
                                        .map(|o| {
                                            o.iter()
                                                .map(|(k, v)| (k.clone(), Cow::Owned(v.clone())))
                                                .collect()
                                        })
                                        .unwrap_or_default(),
                                    parent: None,
                                }
                            }
                            None => Scope::default(),
                        };
                        let r = Renderer {
                            page: self.page,
                            hooks: self.hooks,
                            depth: self.depth + 1,
                        };
                        r.nodes(&t.children, &data, out, false);
                    }
                }
                return;
            }
            "import" | "include" | "wxs" => return,
            _ => {}
        }
        let tag = html_tag(&el.tag);
        let _ = write!(out, "<{tag} class=\"wx-{}", el.tag);
        if let Some(class) = el.attr("class") {
            let class = class.text(scope);
            if !class.trim().is_empty() {
                out.push(' ');
                out.push_str(&escape(class.trim()));
            }
        }
        out.push('"');
        for (name, value) in &el.attrs {
            match name.as_str() {
                "style" => {
                    let _ = write!(out, " style=\"{}\"", escape(&rpx_to_px(&value.text(scope))));
                }
                "src" if el.tag == "image" => {
                    let src = value.text(scope);
                    if let Some(url) = (self.hooks.image_url)(&src) {
                        let _ = write!(out, " src=\"{}\" alt=\"\"", escape(&url));
                    } else {
                        out.push_str(" alt=\"\"");
                    }
                }
                "mode" | "size" | "type" => {
                    let _ = write!(out, " data-{name}=\"{}\"", escape(&value.text(scope)));
                }
                _ => {}
            }
        }
        if tag == "button" {
            out.push_str(" type=\"button\"");
        }
        out.push('>');
        if tag != "img" && tag != "input" {
            self.nodes(&el.children, scope, out, false);
            let _ = write!(out, "</{tag}>");
        }
    }
}
