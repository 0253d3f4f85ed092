//! The document layer: WXML sources parsed (through an XML parser, after the adjustments WXML
//! needs) into elements whose attributes and text are bindings.
use super::expr::{Interp, Scope};
use super::WxmlError;

#[derive(Debug, Clone)]
pub(super) enum Node {
    Text(Interp),
    Element(Element),
}

#[derive(Debug, Clone)]
pub(super) struct Element {
    pub(super) tag: String,
    pub(super) attrs: Vec<(String, Interp)>,
    pub(super) children: Vec<Node>,
}

impl Element {
    pub(super) fn attr(&self, name: &str) -> Option<&Interp> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
    pub(super) fn raw_attr(&self, name: &str) -> Option<String> {
        self.attr(name).map(|i| i.text(&Scope::default()))
    }
}

pub(super) fn convert(node: roxmltree::Node, file: &str) -> Result<Option<Node>, WxmlError> {
    let err = |message: String| WxmlError {
        file: file.to_string(),
        message,
    };
    if node.is_text() {
        let text = node.text().unwrap_or_default();
        return Ok(Some(Node::Text(Interp::parse(text, false).map_err(err)?)));
    }
    if !node.is_element() {
        return Ok(None);
    }
    let tag = node.tag_name().name().to_string();
    let mut attrs = Vec::new();
    for a in node.attributes() {
        let name = match a.namespace() {
            Some(ns) if ns == WX_NS => format!("wx:{}", a.name()),
            _ => a.name().to_string(),
        };
        let interp = Interp::parse(a.value(), name == "data")
            .map_err(|m| err(format!("<{tag} {name}>: {m}")))?;
        attrs.push((name, interp));
    }
    let mut children = Vec::new();
    for c in node.children() {
        if let Some(n) = convert(c, file)? {
            children.push(n);
        }
    }
    Ok(Some(Node::Element(Element {
        tag,
        attrs,
        children,
    })))
}

pub(super) const WX_NS: &str = "urn:mpforge:wx";

/// WXML allows attributes without a value (`<view wx:else>`); XML does not. Gives them `=""`.
pub(super) fn fill_bare_attributes(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 16);
    let mut chars = source.chars().peekable();
    let (mut in_tag, mut quote, mut in_comment) = (false, None::<char>, false);
    let mut name = String::new();
    while let Some(c) = chars.next() {
        if in_comment {
            out.push(c);
            if c == '>' && out.ends_with("-->") {
                in_comment = false;
            }
            continue;
        }
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        if !in_tag {
            out.push(c);
            if c == '<' {
                if chars.peek() == Some(&'!') {
                    in_comment = true;
                } else if chars.peek().is_some_and(|n| n.is_alphabetic()) {
                    in_tag = true;
                    // The tag name itself.
                    while let Some(&n) = chars.peek() {
                        if n.is_whitespace() || n == '>' || n == '/' {
                            break;
                        }
                        out.push(n);
                        chars.next();
                    }
                }
            }
            continue;
        }
        match c {
            '"' | '\'' => {
                quote = Some(c);
                out.push(c);
            }
            c if c.is_alphanumeric() || matches!(c, ':' | '-' | '_' | '.') => {
                name.push(c);
                out.push(c);
                let next = chars.peek().copied();
                let ends = !next
                    .is_some_and(|n| n.is_alphanumeric() || matches!(n, ':' | '-' | '_' | '.'));
                if ends {
                    // Skip spaces to see whether `=` follows.
                    let mut spaces = String::new();
                    while let Some(&n) = chars.peek() {
                        if n.is_whitespace() {
                            spaces.push(n);
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    if chars.peek() != Some(&'=') {
                        out.push_str("=\"\"");
                    }
                    out.push_str(&spaces);
                    name.clear();
                }
            }
            '>' => {
                in_tag = false;
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// WXML is not quite XML: it has no root element, uses the `wx:` prefix undeclared and allows
/// bare attributes. Adjust it so an XML parser reads it.
pub(super) fn parse_file(file: &str, source: &str) -> Result<Vec<Node>, WxmlError> {
    let wrapped = format!(
        "<wxml xmlns:wx=\"{WX_NS}\">{}</wxml>",
        fill_bare_attributes(source)
    );
    let doc = roxmltree::Document::parse(&wrapped).map_err(|e| WxmlError {
        file: file.to_string(),
        message: e.to_string(),
    })?;
    let mut out = Vec::new();
    for c in doc.root_element().children() {
        if let Some(n) = convert(c, file)? {
            out.push(n);
        }
    }
    Ok(out)
}

pub(super) fn resolve(from: &str, src: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in src.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}
