//! A small WXML interpreter: renders the theme's own WXML sources to HTML, so the H5 preview
//! the editor shows comes from the very templates the mini program uses (one source per
//! block). It understands what the themes use: `{{ }}` bindings with a JavaScript expression
//! subset, `wx:if` / `wx:elif` / `wx:else`, `wx:for` (with `wx:for-item`, `wx:for-index`),
//! `<block>`, `<import>` and `<template name|is data>`.
//!
//! Every value that reaches the HTML is escaped: merchant text stays text here too.
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write;

#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct WxmlError {
    pub file: String,
    pub message: String,
}

// ---------------------------------------------------------------------------------------------
// Expressions

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Lit(Value),
    Undefined,
    Var(String),
    Member(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    Array(Vec<Expr>),
    Object(Vec<(String, Expr)>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Bin(Box<Expr>, Op, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Ident(String),
    Punct(&'static str),
}

fn tokenize(src: &str) -> Result<Vec<Tok>, String> {
    const PUNCT: [&str; 24] = [
        "===", "!==", "==", "!=", ">=", "<=", "&&", "||", "?", ":", ".", ",", "(", ")", "[", "]",
        "{", "}", "+", "-", "*", "/", "%", "!",
    ];
    const SINGLE: [&str; 2] = [">", "<"];
    let mut out = Vec::new();
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(Tok::Num(
                text.parse().map_err(|_| format!("bad number {text}"))?,
            ));
        } else if c == '\'' || c == '"' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("unterminated string".into()),
                    Some(&q) if q == c => break,
                    Some('\\') => {
                        i += 1;
                        s.push(*chars.get(i).ok_or("unterminated string")?);
                    }
                    Some(&ch) => s.push(ch),
                }
                i += 1;
            }
            i += 1;
            out.push(Tok::Str(s));
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
        } else {
            let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
            let p = PUNCT
                .iter()
                .chain(SINGLE.iter())
                .find(|p| rest.starts_with(**p))
                .ok_or_else(|| format!("unexpected character {c:?}"))?;
            out.push(Tok::Punct(p));
            i += p.chars().count();
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn eat(&mut self, p: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Punct(q)) if *q == p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, p: &str) -> Result<(), String> {
        if self.eat(p) {
            Ok(())
        } else {
            Err(format!("expected {p:?}"))
        }
    }
    fn expr(&mut self) -> Result<Expr, String> {
        let cond = self.or()?;
        if self.eat("?") {
            let a = self.expr()?;
            self.expect(":")?;
            let b = self.expr()?;
            return Ok(Expr::Cond(Box::new(cond), Box::new(a), Box::new(b)));
        }
        Ok(cond)
    }
    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.eat("||") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }
    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.binary(0)?;
        while self.eat("&&") {
            left = Expr::And(Box::new(left), Box::new(self.binary(0)?));
        }
        Ok(left)
    }
    /// Levels: 0 equality, 1 relational, 2 additive, 3 multiplicative.
    fn binary(&mut self, level: u8) -> Result<Expr, String> {
        const LEVELS: [&[(&str, Op)]; 4] = [
            &[
                ("===", Op::Eq),
                ("==", Op::Eq),
                ("!==", Op::Ne),
                ("!=", Op::Ne),
            ],
            &[(">=", Op::Ge), ("<=", Op::Le), (">", Op::Gt), ("<", Op::Lt)],
            &[("+", Op::Add), ("-", Op::Sub)],
            &[("*", Op::Mul), ("/", Op::Div), ("%", Op::Mod)],
        ];
        let next = |p: &mut Self| {
            if level == 3 {
                p.unary()
            } else {
                p.binary(level + 1)
            }
        };
        let mut left = next(self)?;
        'outer: loop {
            for (text, op) in LEVELS[level as usize] {
                if self.eat(text) {
                    left = Expr::Bin(Box::new(left), *op, Box::new(next(self)?));
                    continue 'outer;
                }
            }
            return Ok(left);
        }
    }
    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat("!") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.eat("-") {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        let mut e = self.primary()?;
        loop {
            if self.eat(".") {
                match self.toks.get(self.pos).cloned() {
                    Some(Tok::Ident(name)) => {
                        self.pos += 1;
                        e = Expr::Member(Box::new(e), name);
                    }
                    _ => return Err("expected a name after '.'".into()),
                }
            } else if self.eat("[") {
                let index = self.expr()?;
                self.expect("]")?;
                e = Expr::Index(Box::new(e), Box::new(index));
            } else {
                return Ok(e);
            }
        }
    }
    fn primary(&mut self) -> Result<Expr, String> {
        let tok = self.toks.get(self.pos).cloned().ok_or("unexpected end")?;
        self.pos += 1;
        Ok(match tok {
            Tok::Num(n) => Expr::Lit(num(n)),
            Tok::Str(s) => Expr::Lit(Value::String(s)),
            Tok::Ident(name) => match name.as_str() {
                "true" => Expr::Lit(Value::Bool(true)),
                "false" => Expr::Lit(Value::Bool(false)),
                "null" => Expr::Lit(Value::Null),
                "undefined" => Expr::Undefined,
                _ => Expr::Var(name),
            },
            Tok::Punct("(") => {
                let e = self.expr()?;
                self.expect(")")?;
                e
            }
            Tok::Punct("[") => {
                let mut items = Vec::new();
                if !self.eat("]") {
                    loop {
                        items.push(self.expr()?);
                        if self.eat("]") {
                            break;
                        }
                        self.expect(",")?;
                    }
                }
                Expr::Array(items)
            }
            Tok::Punct("{") => {
                let fields = self.fields()?;
                self.expect("}")?;
                Expr::Object(fields)
            }
            other => return Err(format!("unexpected {other:?}")),
        })
    }
    /// `key: expr, key: expr` (the body of an object literal, and of `data="{{ }}"`).
    fn fields(&mut self) -> Result<Vec<(String, Expr)>, String> {
        let mut fields = Vec::new();
        while let Some(Tok::Ident(key) | Tok::Str(key)) = self.toks.get(self.pos).cloned() {
            self.pos += 1;
            let value = if self.eat(":") {
                self.expr()?
            } else {
                Expr::Var(key.clone()) // shorthand `{a}`
            };
            fields.push((key, value));
            if !self.eat(",") {
                break;
            }
        }
        Ok(fields)
    }
}

fn parse_expr(src: &str, object_body: bool) -> Result<Expr, String> {
    let mut p = Parser {
        toks: tokenize(src)?,
        pos: 0,
    };
    let is_fields = object_body
        && matches!(
            (p.toks.first(), p.toks.get(1)),
            (
                Some(Tok::Ident(_) | Tok::Str(_)),
                Some(Tok::Punct(":" | ","))
            )
        );
    let e = if is_fields {
        Expr::Object(p.fields()?)
    } else {
        p.expr()?
    };
    if p.pos != p.toks.len() {
        return Err(format!("unexpected {:?}", p.toks[p.pos]));
    }
    Ok(e)
}

fn num(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// JavaScript truthiness.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// How WXML prints a value: strings as they are, numbers like JavaScript, nothing for
/// null/undefined, JSON for objects.
fn to_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

fn to_num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => s.trim().parse().unwrap_or(f64::NAN),
        Value::Null => 0.0,
        _ => f64::NAN,
    }
}

/// `v[key]` without copying when the result is part of `v`.
fn member_cow<'a>(v: Cow<'a, Value>, key: &str) -> Cow<'a, Value> {
    match v {
        Cow::Borrowed(Value::Object(o)) => {
            o.get(key).map_or(Cow::Owned(Value::Null), Cow::Borrowed)
        }
        Cow::Borrowed(Value::Array(a)) if key != "length" => key
            .parse::<usize>()
            .ok()
            .and_then(|i| a.get(i))
            .map_or(Cow::Owned(Value::Null), Cow::Borrowed),
        other => Cow::Owned(member(&other, key)),
    }
}

fn member(v: &Value, key: &str) -> Value {
    match (v, key) {
        (Value::Array(a), "length") => Value::from(a.len()),
        (Value::String(s), "length") => Value::from(s.encode_utf16().count()),
        (Value::Object(o), k) => o.get(k).cloned().unwrap_or(Value::Null),
        (Value::Array(a), k) => k
            .parse::<usize>()
            .ok()
            .and_then(|i| a.get(i).cloned())
            .unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

/// Names visible to an expression: this frame's, then its parent's. Values are borrowed from
/// the page data wherever possible, so rendering copies no data.
#[derive(Default)]
struct Scope<'a> {
    vars: Vec<(String, Cow<'a, Value>)>,
    parent: Option<&'a Scope<'a>>,
}

impl<'a> Scope<'a> {
    fn root(data: &'a Value) -> Self {
        let vars = data
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), Cow::Borrowed(v)))
                    .collect()
            })
            .unwrap_or_default();
        Scope { vars, parent: None }
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_ref())
            .or_else(|| self.parent.and_then(|p| p.get(name)))
    }
}

fn eval<'s>(e: &Expr, scope: &'s Scope<'_>) -> Cow<'s, Value> {
    match e {
        Expr::Var(name) => scope
            .get(name)
            .map_or(Cow::Owned(Value::Null), Cow::Borrowed),
        Expr::Member(base, key) => member_cow(eval(base, scope), key),
        Expr::Index(base, index) => {
            let key = to_text(&eval(index, scope));
            member_cow(eval(base, scope), &key)
        }
        Expr::And(a, b) => {
            let left = eval(a, scope);
            if truthy(&left) {
                eval(b, scope)
            } else {
                left
            }
        }
        Expr::Or(a, b) => {
            let left = eval(a, scope);
            if truthy(&left) {
                left
            } else {
                eval(b, scope)
            }
        }
        Expr::Cond(c, a, b) => {
            if truthy(&eval(c, scope)) {
                eval(a, scope)
            } else {
                eval(b, scope)
            }
        }
        other => Cow::Owned(eval_owned(other, scope)),
    }
}

fn eval_owned(e: &Expr, scope: &Scope<'_>) -> Value {
    match e {
        Expr::Lit(v) => v.clone(),
        Expr::Undefined => Value::Null,
        Expr::Var(_)
        | Expr::Member(..)
        | Expr::Index(..)
        | Expr::And(..)
        | Expr::Or(..)
        | Expr::Cond(..) => eval(e, scope).into_owned(),
        Expr::Array(items) => {
            Value::Array(items.iter().map(|i| eval(i, scope).into_owned()).collect())
        }
        Expr::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), eval(v, scope).into_owned()))
                .collect(),
        ),
        Expr::Not(inner) => Value::Bool(!truthy(&eval(inner, scope))),
        Expr::Neg(inner) => num(-to_num(&eval(inner, scope))),
        Expr::Bin(a, op, b) => {
            let (l, r) = (eval(a, scope), eval(b, scope));
            let (l, r) = (l.as_ref(), r.as_ref());
            match op {
                Op::Add if l.is_string() || r.is_string() => {
                    Value::String(to_text(l) + &to_text(r))
                }
                Op::Add => num(to_num(l) + to_num(r)),
                Op::Sub => num(to_num(l) - to_num(r)),
                Op::Mul => num(to_num(l) * to_num(r)),
                Op::Div => num(to_num(l) / to_num(r)),
                Op::Mod => num(to_num(l) % to_num(r)),
                Op::Eq => Value::Bool(l == r),
                Op::Ne => Value::Bool(l != r),
                Op::Lt | Op::Le | Op::Gt | Op::Ge => {
                    let ord = if let (Value::String(x), Value::String(y)) = (l, r) {
                        x.partial_cmp(y)
                    } else {
                        to_num(l).partial_cmp(&to_num(r))
                    };
                    Value::Bool(ord.is_some_and(|o| match op {
                        Op::Lt => o.is_lt(),
                        Op::Le => o.is_le(),
                        Op::Gt => o.is_gt(),
                        _ => o.is_ge(),
                    }))
                }
            }
        }
    }
}

/// Text with `{{ }}` bindings.
#[derive(Debug, Clone, PartialEq)]
enum Part {
    Lit(String),
    Expr(Expr),
}

#[derive(Debug, Clone, PartialEq)]
struct Interp(Vec<Part>);

impl Interp {
    fn parse(src: &str, object_body: bool) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut rest = src;
        while let Some(start) = rest.find("{{") {
            if start > 0 {
                parts.push(Part::Lit(rest[..start].to_string()));
            }
            let after = &rest[start + 2..];
            let end = after.find("}}").ok_or("a {{ binding is never closed")?;
            parts.push(Part::Expr(
                parse_expr(&after[..end], object_body)
                    .map_err(|e| format!("{{{{{}}}}}: {e}", &after[..end]))?,
            ));
            rest = &after[end + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Lit(rest.to_string()));
        }
        Ok(Interp(parts))
    }

    /// A lone binding keeps its type (arrays, booleans); anything else is a string.
    fn value<'s>(&self, scope: &'s Scope<'_>) -> Cow<'s, Value> {
        match self.0.as_slice() {
            [Part::Expr(e)] => eval(e, scope),
            parts => Cow::Owned(Value::String(parts.iter().fold(
                String::new(),
                |mut s, p| {
                    match p {
                        Part::Lit(l) => s.push_str(l),
                        Part::Expr(e) => s.push_str(&to_text(&eval(e, scope))),
                    }
                    s
                },
            ))),
        }
    }

    fn text(&self, scope: &Scope<'_>) -> String {
        to_text(&self.value(scope))
    }

    fn is_literal_blank(&self) -> bool {
        self.0
            .iter()
            .all(|p| matches!(p, Part::Lit(l) if l.trim().is_empty()))
    }
}

// ---------------------------------------------------------------------------------------------
// Documents

#[derive(Debug, Clone)]
enum Node {
    Text(Interp),
    Element(Element),
}

#[derive(Debug, Clone)]
struct Element {
    tag: String,
    attrs: Vec<(String, Interp)>,
    children: Vec<Node>,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&Interp> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
    fn raw_attr(&self, name: &str) -> Option<String> {
        self.attr(name).map(|i| i.text(&Scope::default()))
    }
}

fn convert(node: roxmltree::Node, file: &str) -> Result<Option<Node>, WxmlError> {
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

const WX_NS: &str = "urn:mpforge:wx";

/// WXML allows attributes without a value (`<view wx:else>`); XML does not. Gives them `=""`.
fn fill_bare_attributes(source: &str) -> String {
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
fn parse_file(file: &str, source: &str) -> Result<Vec<Node>, WxmlError> {
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

fn resolve(from: &str, src: &str) -> String {
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

/// A page's WXML with the templates it imports, parsed once and rendered many times.
#[derive(Debug, Clone)]
pub struct WxmlPage {
    body: Vec<Node>,
    templates: BTreeMap<String, Element>,
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

struct Renderer<'a> {
    page: &'a WxmlPage,
    hooks: &'a RenderHooks<'a>,
    depth: usize,
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
fn html_tag(tag: &str) -> &'static str {
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
    fn nodes(&self, nodes: &[Node], scope: &Scope<'_>, out: &mut String, top: bool) {
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
    fn element(&self, el: &Element, scope: &Scope<'_>, out: &mut String) {
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

    fn single(&self, el: &Element, scope: &Scope<'_>, out: &mut String) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
