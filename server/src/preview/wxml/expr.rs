//! The expression layer: `{{ }}` bindings with a JavaScript expression subset, evaluated
//! against a scope of page data; and text that mixes literals with bindings.
use serde_json::Value;
use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Expr {
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
pub(super) enum Op {
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
pub(super) enum Tok {
    Num(f64),
    Str(String),
    Ident(String),
    Punct(&'static str),
}

pub(super) fn tokenize(src: &str) -> Result<Vec<Tok>, String> {
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

pub(super) struct Parser {
    pub(super) toks: Vec<Tok>,
    pub(super) pos: usize,
}

impl Parser {
    pub(super) fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    pub(super) fn eat(&mut self, p: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Punct(q)) if *q == p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    pub(super) fn expect(&mut self, p: &str) -> Result<(), String> {
        if self.eat(p) {
            Ok(())
        } else {
            Err(format!("expected {p:?}"))
        }
    }
    pub(super) fn expr(&mut self) -> Result<Expr, String> {
        let cond = self.or()?;
        if self.eat("?") {
            let a = self.expr()?;
            self.expect(":")?;
            let b = self.expr()?;
            return Ok(Expr::Cond(Box::new(cond), Box::new(a), Box::new(b)));
        }
        Ok(cond)
    }
    pub(super) fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.eat("||") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }
    pub(super) fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.binary(0)?;
        while self.eat("&&") {
            left = Expr::And(Box::new(left), Box::new(self.binary(0)?));
        }
        Ok(left)
    }
    /// Levels: 0 equality, 1 relational, 2 additive, 3 multiplicative.
    pub(super) fn binary(&mut self, level: u8) -> Result<Expr, String> {
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
    pub(super) fn unary(&mut self) -> Result<Expr, String> {
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
    pub(super) fn primary(&mut self) -> Result<Expr, String> {
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
    pub(super) fn fields(&mut self) -> Result<Vec<(String, Expr)>, String> {
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

pub(super) fn parse_expr(src: &str, object_body: bool) -> Result<Expr, String> {
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

pub(super) fn num(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// JavaScript truthiness.
pub(super) fn truthy(v: &Value) -> bool {
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
pub(super) fn to_text(v: &Value) -> String {
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

pub(super) fn to_num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => s.trim().parse().unwrap_or(f64::NAN),
        Value::Null => 0.0,
        _ => f64::NAN,
    }
}

/// `v[key]` without copying when the result is part of `v`.
pub(super) fn member_cow<'a>(v: Cow<'a, Value>, key: &str) -> Cow<'a, Value> {
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

pub(super) fn member(v: &Value, key: &str) -> Value {
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
pub(super) struct Scope<'a> {
    pub(super) vars: Vec<(String, Cow<'a, Value>)>,
    pub(super) parent: Option<&'a Scope<'a>>,
}

impl<'a> Scope<'a> {
    pub(super) fn root(data: &'a Value) -> Self {
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

    pub(super) fn get(&self, name: &str) -> Option<&Value> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_ref())
            .or_else(|| self.parent.and_then(|p| p.get(name)))
    }
}

pub(super) fn eval<'s>(e: &Expr, scope: &'s Scope<'_>) -> Cow<'s, Value> {
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

pub(super) fn eval_owned(e: &Expr, scope: &Scope<'_>) -> Value {
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
pub(super) enum Part {
    Lit(String),
    Expr(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Interp(pub(super) Vec<Part>);

impl Interp {
    pub(super) fn parse(src: &str, object_body: bool) -> Result<Self, String> {
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
    pub(super) fn value<'s>(&self, scope: &'s Scope<'_>) -> Cow<'s, Value> {
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

    pub(super) fn text(&self, scope: &Scope<'_>) -> String {
        to_text(&self.value(scope))
    }

    pub(super) fn is_literal_blank(&self) -> bool {
        self.0
            .iter()
            .all(|p| matches!(p, Part::Lit(l) if l.trim().is_empty()))
    }
}
