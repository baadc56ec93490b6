//! A small JSON value type with a parser and a compact writer.
//!
//! The engine reads provider chunks, tool arguments, stored histories and settings, and writes
//! requests and tool results; a dynamic value and plain functions over it do all of that with
//! one copy of the code, where a derive-based library generates a parser per type. Numbers keep
//! their literal text, so a number passes through unchanged and no float formatting is needed.

use crate::sort::sorted_indices;
use std::fmt;

/// Nesting deeper than this is refused rather than recursed into.
pub const MAX_DEPTH: usize = 128;

/// A JSON value.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Value>),
    Object(Map),
}

/// A JSON number, kept as its literal text (always valid JSON number syntax).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number(String);

impl Number {
    /// The number as a whole, non-negative integer, if it is one.
    pub fn as_u64(&self) -> Option<u64> {
        self.0.parse().ok()
    }

    /// The number as a float (see [`parse_decimal`] for its precision).
    pub fn as_f64(&self) -> Option<f64> {
        parse_decimal(&self.0)
    }

    /// The literal text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A number with at most three decimals (`0.7`, `1.25`, `2`), from thousandths.
    pub fn from_thousandths(thousandths: u64) -> Self {
        let whole = thousandths / 1000;
        let fraction = thousandths % 1000;
        if fraction == 0 {
            return Number(whole.to_string());
        }
        let digits = format!("{fraction:03}");
        Number(format!("{whole}.{}", digits.trim_end_matches('0')))
    }

    /// The shortest text that reads back as `x`; `None` for NaN and infinities.
    pub fn from_f64(x: f64) -> Option<Self> {
        x.is_finite().then(|| Number(format!("{x}")))
    }

    /// Parses a literal; `None` unless it is exactly a JSON number.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parser = Parser::new(text);
        match parser.number() {
            Ok(n) if parser.at == text.len() => Some(n),
            _ => None,
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! integer_numbers {
    ($($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(n: $t) -> Self {
                Number(n.to_string())
            }
        }
        impl From<$t> for Value {
            fn from(n: $t) -> Self {
                Value::Number(Number::from(n))
            }
        }
    )*};
}
integer_numbers!(u8, u16, u32, u64, usize, i32, i64);

/// A JSON object: keys in insertion order. Parsing keeps every pair; lookups see the last one
/// with a key, as most parsers do. Two objects are equal when they hold the same keys and
/// values, in any order.
#[derive(Debug, Clone, Default)]
pub struct Map(Vec<(String, Value)>);

impl PartialEq for Map {
    fn eq(&self, other: &Self) -> bool {
        fn keys(map: &Map) -> Vec<&String> {
            let pairs = &map.0;
            let order = sorted_indices(pairs.len(), &|a, b| pairs[a].0.cmp(&pairs[b].0));
            let mut keys: Vec<&String> = order.into_iter().map(|i| &pairs[i].0).collect();
            keys.dedup();
            keys
        }
        let mine = keys(self);
        mine == keys(other) && mine.iter().all(|k| self.get(k) == other.get(k))
    }
}

impl Map {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.0
            .iter_mut()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key`, replacing an earlier value in place.
    pub fn insert(&mut self, key: impl Into<String>, value: Value) {
        let key = key.into();
        match self.get_mut(&key) {
            Some(slot) => *slot = value,
            None => self.0.push((key, value)),
        }
    }

    /// Takes `key` out (every pair with it), returning the value lookups saw.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let mut found = None;
        self.0.retain_mut(|(k, v)| {
            if k == key {
                found = Some(std::mem::take(v));
                false
            } else {
                true
            }
        });
        found
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl IntoIterator for Map {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<K: Into<String>> FromIterator<(K, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(pairs: I) -> Self {
        let mut map = Map::new();
        for (k, v) in pairs {
            map.insert(k, v);
        }
        map
    }
}

impl Value {
    /// A field of an object; `None` for a missing key or a value that is not an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|map| map.get(key))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    /// The compact JSON text.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        write_value(self, &mut out);
        out
    }
}

impl PartialEq<&str> for Value {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<str> for Value {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

static NULL: Value = Value::Null;

impl std::ops::Index<&str> for Value {
    type Output = Value;

    /// The field, or `null` when it is missing or this is not an object.
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

impl std::ops::IndexMut<&str> for Value {
    /// The field, added as `null` when missing; `null` itself becomes an empty object first.
    ///
    /// # Panics
    /// When the value is neither an object nor `null`: a programming error.
    fn index_mut(&mut self, key: &str) -> &mut Value {
        if self.is_null() {
            *self = Value::Object(Map::new());
        }
        let Value::Object(map) = self else {
            panic!("JSON index on a value that is not an object");
        };
        if !map.contains_key(key) {
            map.insert(key, Value::Null);
        }
        match map.get_mut(key) {
            Some(slot) => slot,
            None => unreachable!("the key was just inserted"),
        }
    }
}

impl std::ops::Index<usize> for Value {
    type Output = Value;

    fn index(&self, i: usize) -> &Value {
        self.as_array().and_then(|a| a.get(i)).unwrap_or(&NULL)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encode())
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::String(s.clone())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}

impl From<Map> for Value {
    fn from(map: Map) -> Self {
        Value::Object(map)
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Self {
        Value::Array(items.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// Builds a [`Value`] from JSON-like syntax: `json!({"a": [1, "two", null], "b": expr})`.
#[macro_export]
macro_rules! json {
    (null) => { $crate::json::Value::Null };
    ([]) => { $crate::json::Value::Array(::std::vec::Vec::new()) };
    ([ $($tt:tt)+ ]) => { $crate::json::Value::Array($crate::json!(@array [] [] $($tt)+)) };
    ({}) => { $crate::json::Value::Object($crate::json::Map::new()) };
    ({ $($tt:tt)+ }) => {{
        let mut map = $crate::json::Map::new();
        $crate::json!(@object map [] $($tt)+);
        $crate::json::Value::Object(map)
    }};
    ($e:expr) => { $crate::json::Value::from($e) };

    // Arrays: gather each element's tokens up to a top-level comma.
    (@array [$($done:expr,)*] []) => { vec![$($done,)*] };
    (@array [$($done:expr,)*] [$($cur:tt)+]) => { vec![$($done,)* $crate::json!($($cur)+),] };
    (@array [$($done:expr,)*] [$($cur:tt)+] , $($rest:tt)*) => {
        $crate::json!(@array [$($done,)* $crate::json!($($cur)+),] [] $($rest)*)
    };
    (@array [$($done:expr,)*] [$($cur:tt)*] $next:tt $($rest:tt)*) => {
        $crate::json!(@array [$($done,)*] [$($cur)* $next] $($rest)*)
    };

    // Objects: `key: value` pairs, the value's tokens up to a top-level comma.
    (@object $map:ident []) => {};
    (@object $map:ident [] $key:tt : $($rest:tt)+) => {
        $crate::json!(@value $map ($key) [] $($rest)+)
    };
    (@value $map:ident ($key:expr) [$($cur:tt)+]) => {
        $map.insert($key, $crate::json!($($cur)+));
    };
    (@value $map:ident ($key:expr) [$($cur:tt)+] , $($rest:tt)*) => {
        $map.insert($key, $crate::json!($($cur)+));
        $crate::json!(@object $map [] $($rest)*);
    };
    (@value $map:ident ($key:expr) [$($cur:tt)*] $next:tt $($rest:tt)*) => {
        $crate::json!(@value $map ($key) [$($cur)* $next] $($rest)*)
    };
}

/// Reads a decimal number (`12`, `-0.5`, `.5`, `+1.25e3`), without the standard library's
/// float parser and its 10 KB table. Correctly rounded when the digits fit in 2^53 (15
/// significant digits) and the power of ten is at most 22, which covers settings, prices and
/// delays; beyond that, within a few units in the last place, and numbers within a rounding
/// error of f64's largest may read as out of range. `None` for anything that is not a finite
/// decimal number.
pub fn parse_decimal(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let negative = match bytes.first() {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut mantissa: u64 = 0;
    let mut exponent: i64 = 0;
    let mut digits = 0;
    let mut seen_point = false;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'0'..=b'9' => {
                digits += 1;
                if mantissa < 1_000_000_000_000_000_000 {
                    mantissa = mantissa * 10 + u64::from(b - b'0');
                    if seen_point {
                        exponent -= 1;
                    }
                } else if !seen_point {
                    exponent += 1;
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => break,
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    if let Some(b'e' | b'E') = bytes.get(i) {
        i += 1;
        let sign = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                -1
            }
            Some(b'+') => {
                i += 1;
                1
            }
            _ => 1,
        };
        let start = i;
        let mut power: i64 = 0;
        while let Some(&b @ b'0'..=b'9') = bytes.get(i) {
            power = (power * 10 + i64::from(b - b'0')).min(100_000);
            i += 1;
        }
        if i == start {
            return None;
        }
        exponent += sign * power;
    }
    if i != bytes.len() {
        return None;
    }
    let scale = |x: f64, power: i64| {
        let power = i32::try_from(power.clamp(-400, 400)).unwrap_or(0);
        if power >= 0 {
            x * 10f64.powi(power)
        } else if power >= -308 {
            x / 10f64.powi(-power)
        } else {
            x / 1e300 / 10f64.powi(-power - 300)
        }
    };
    let value = if mantissa == 0 {
        0.0
    } else {
        scale(mantissa as f64, exponent)
    };
    let value = if negative { -value } else { value };
    value.is_finite().then_some(value)
}

/// Why text is not JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    reason: &'static str,
    at: usize,
}

impl Error {
    /// Whether the text ended too soon: it may be the start of valid JSON.
    pub fn is_eof(&self) -> bool {
        self.reason == EOF
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.at)
    }
}

impl std::error::Error for Error {}

const EOF: &str = "unexpected end of JSON";

/// Parses one JSON value; nothing but whitespace may follow it.
pub fn parse(text: &str) -> Result<Value, Error> {
    let mut parser = Parser::new(text);
    let value = parser.value(0)?;
    parser.skip_space();
    if parser.at < text.len() {
        return Err(parser.fail("trailing characters"));
    }
    Ok(value)
}

/// Parses bytes that should be UTF-8 JSON.
pub fn parse_bytes(bytes: &[u8]) -> Result<Value, Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text),
        // The bytes stop inside a character: cut off only if the text before it is too.
        Err(e) if e.error_len().is_none() => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
            match parse(valid) {
                Err(error) if error.is_eof() => Err(Error {
                    reason: EOF,
                    at: bytes.len(),
                }),
                Err(error) => Err(error),
                Ok(_) => Err(Error {
                    reason: "trailing characters",
                    at: e.valid_up_to(),
                }),
            }
        }
        Err(e) => Err(Error {
            reason: "invalid UTF-8",
            at: e.valid_up_to(),
        }),
    }
}

/// Parses values written one after another (`{…} {…}`), as some models write several calls.
pub fn parse_sequence(text: &str) -> Result<Vec<Value>, Error> {
    let mut parser = Parser::new(text);
    let mut values = Vec::new();
    loop {
        parser.skip_space();
        if parser.at == text.len() {
            return Ok(values);
        }
        values.push(parser.value(0)?);
    }
}

/// Drops every pair whose key appears again later, so that a repeated key reads, compares and
/// is written back as its last value only (what most parsers keep), in O(n log n).
fn keep_last_of_each_key(pairs: &mut Vec<(String, Value)>) {
    if pairs.len() < 2 {
        return;
    }
    // Objects are mostly small, and mostly without repeats: check those without allocating.
    let small = pairs.len() <= 16;
    if small
        && !pairs
            .iter()
            .enumerate()
            .any(|(i, (key, _))| pairs[i + 1..].iter().any(|(k, _)| k == key))
    {
        return;
    }
    // Stable: a key's pairs stay in their order, so each but the last is shadowed.
    let order = sorted_indices(pairs.len(), &|a, b| pairs[a].0.cmp(&pairs[b].0));
    let mut shadowed = vec![false; pairs.len()];
    let mut any = false;
    for pair in order.windows(2) {
        if pairs[pair[0]].0 == pairs[pair[1]].0 {
            shadowed[pair[0]] = true;
            any = true;
        }
    }
    if any {
        let mut index = 0;
        pairs.retain(|_| {
            index += 1;
            !shadowed[index - 1]
        });
    }
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Self { text, at: 0 }
    }

    fn fail(&self, reason: &'static str) -> Error {
        let reason = if self.at >= self.text.len() {
            EOF
        } else {
            reason
        };
        Error {
            reason,
            at: self.at,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8, reason: &'static str) -> Result<(), Error> {
        self.skip_space();
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.fail(reason))
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, Error> {
        let rest = &self.text.as_bytes()[self.at..];
        if rest.starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else if word.as_bytes().starts_with(rest) {
            self.at = self.text.len();
            Err(self.fail(EOF))
        } else {
            Err(self.fail("expected a value"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, Error> {
        self.skip_space();
        match self.peek() {
            None => Err(self.fail(EOF)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number().map(Value::Number),
            Some(b'[' | b'{') if depth >= MAX_DEPTH => Err(self.fail("nested too deeply")),
            Some(b'[') => self.array(depth + 1),
            Some(b'{') => self.object(depth + 1),
            Some(_) => Err(self.fail("expected a value")),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, Error> {
        self.at += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.fail("expected `,` or `]`")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, Error> {
        self.at += 1;
        let mut pairs = Vec::new();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Value::Object(Map(pairs)));
        }
        loop {
            self.skip_space();
            if self.peek() != Some(b'"') {
                return Err(self.fail("expected a key"));
            }
            let key = self.string()?;
            self.expect(b':', "expected `:`")?;
            pairs.push((key, self.value(depth)?));
            self.skip_space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    keep_last_of_each_key(&mut pairs);
                    return Ok(Value::Object(Map(pairs)));
                }
                _ => return Err(self.fail("expected `,` or `}`")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Result<Number, Error> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.fail("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return Err(self.fail("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(self.fail("invalid number"));
            }
        }
        Ok(Number(self.text[start..self.at].to_owned()))
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        if self.text.len() < self.at + 4 {
            self.at = self.text.len();
            return Err(self.fail(EOF));
        }
        let Some(hex) = self.text.get(self.at..self.at + 4) else {
            return Err(self.fail("invalid \\u escape"));
        };
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.fail("invalid \\u escape"));
        }
        self.at += 4;
        u32::from_str_radix(hex, 16).map_err(|_| self.fail("invalid \\u escape"))
    }

    fn string(&mut self) -> Result<String, Error> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.at..];
            // Bytes, not chars: the three stops are ASCII, and no UTF-8 continuation byte is one.
            let Some(stop) = rest
                .bytes()
                .position(|b| b == b'"' || b == b'\\' || b < b' ')
            else {
                self.at = self.text.len();
                return Err(self.fail(EOF));
            };
            out.push_str(&rest[..stop]);
            self.at += stop;
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let Some(escape) = self.peek() else {
                        return Err(self.fail(EOF));
                    };
                    self.at += 1;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => {
                            self.at -= 1;
                            return Err(self.fail("invalid escape"));
                        }
                    }
                }
                _ => return Err(self.fail("control character in a string")),
            }
        }
    }

    fn unicode_escape(&mut self) -> Result<char, Error> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                let rest = &self.text[self.at..];
                if rest.is_empty() || rest == "\\" {
                    self.at = self.text.len();
                    return Err(self.fail(EOF));
                }
                if !rest.starts_with("\\u") {
                    return Err(self.fail("unpaired surrogate"));
                }
                self.at += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.fail("unpaired surrogate"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.fail("unpaired surrogate")),
            code => code,
        };
        char::from_u32(code).ok_or_else(|| self.fail("invalid \\u escape"))
    }
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => out.push_str(&n.0),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.0.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_value(item, out);
            }
            out.push('}');
        }
    }
}

/// Writes a JSON string: quotes, backslashes and control characters escaped, the rest as is.
pub fn write_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        let text =
            r#"{"a":[1,-2.5e3,0.125,true,false,null],"b":{"c":"d\"e\\f\n\u0001é😀"},"e":[]}"#;
        let value = parse(text).expect("valid");
        assert_eq!(value.encode(), text);
        assert_eq!(value["a"][1].as_f64(), Some(-2500.0));
        assert_eq!(value["a"][0].as_u64(), Some(1));
        assert_eq!(value["b"]["c"].as_str(), Some("d\"e\\f\n\u{1}é😀"));
        assert!(value["missing"]["deeper"].is_null());
    }

    #[test]
    fn escapes_are_decoded() {
        let value = parse(r#""\u00e9\ud83d\ude00\/\b\f\t\r""#).expect("valid");
        assert_eq!(value.as_str(), Some("é😀/\u{8}\u{c}\t\r"));
    }

    #[test]
    fn bad_text_is_refused() {
        for text in [
            "",
            "{",
            "[1,",
            "{\"a\":",
            "nul",
            "\"abc",
            "tru",
            "{\"a\" 1}",
            "[1 2]",
            "01",
            "1.",
            "-",
            "1e",
            "+1",
            "{a:1}",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"a\nb\"",
            "[1]]",
            "{} {}",
            "NaN",
            "'a'",
            "[,]",
        ] {
            assert!(parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn a_cut_off_text_is_told_from_a_wrong_one() {
        for text in [
            "{",
            "[1,",
            "{\"a\":",
            "nul",
            "\"abc",
            "\"\\u00",
            "\"\\ud83d",
            "{\"a\":1",
        ] {
            assert!(parse(text).expect_err(text).is_eof(), "{text}");
        }
        for text in ["{a", "[1 2]", "nulx", "\"\\q\""] {
            assert!(!parse(text).expect_err(text).is_eof(), "{text}");
        }
        assert!(parse_bytes(&"\"é\"".as_bytes()[..2])
            .expect_err("cut")
            .is_eof());
        assert!(!parse_bytes(b"\"\xff\"").expect_err("bad").is_eof());
        // Bytes that stop inside a character after a syntax error are malformed, not cut off.
        assert!(!parse_bytes(b"{]\xc3").expect_err("bad").is_eof());
        assert!(!parse_bytes(b"{} \xc3").expect_err("bad").is_eof());
        assert!(!parse(r#""\ud83d""#).expect_err("unpaired").is_eof());
        assert!(parse(r#""\ud83d\"#).expect_err("cut").is_eof());
    }

    #[test]
    fn deep_nesting_is_refused_without_recursing_further() {
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert!(parse(&deep).is_err());
        let fine = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&fine).is_ok());
        assert!(parse(&"[".repeat(100_000)).is_err());
    }

    #[test]
    fn duplicate_keys_read_as_the_last() {
        let value = parse(r#"{"a":1,"b":{"c":1,"c":[2]},"a":2}"#).expect("valid");
        assert_eq!(value["a"].as_u64(), Some(2));
        // Only the last value is kept, so nothing hidden under an earlier copy passes on.
        assert_eq!(value.encode(), r#"{"b":{"c":[2]},"a":2}"#);
        assert_eq!(value, parse(r#"{"a":2,"b":{"c":[2]}}"#).expect("valid"));
        let many: Vec<String> = (0..5000).map(|i| format!("\"k{}\":{i}", i % 100)).collect();
        let value = parse(&format!("{{{}}}", many.join(","))).expect("valid");
        assert_eq!(value.as_object().map(Map::len), Some(100));
        assert_eq!(value["k7"].as_u64(), Some(4907));
        let mut map = value.as_object().cloned().expect("object");
        assert_eq!(map.remove("k7").and_then(|v| v.as_u64()), Some(4907));
        assert_eq!(map.len(), 99);
    }

    #[test]
    fn the_macro_builds_nested_values() {
        let name = "lookup_order";
        let value = json!({
            "name": name,
            "list": [1, "two", null, {"x": [true]}],
            "expr": "x".repeat(3),
            "empty": {},
            "none": [],
        });
        assert_eq!(
            value.encode(),
            r#"{"name":"lookup_order","list":[1,"two",null,{"x":[true]}],"expr":"xxx","empty":{},"none":[]}"#
        );
        let mut schema = json!({"properties": {}});
        schema["properties"]["email"] = json!({"type": "string"});
        assert_eq!(
            schema.encode(),
            r#"{"properties":{"email":{"type":"string"}}}"#
        );
    }

    #[test]
    fn control_characters_are_escaped() {
        let value = Value::from("a\u{0}b\u{1f}c\u{7f}\"\\");
        assert_eq!(value.encode(), "\"a\\u0000b\\u001fc\u{7f}\\\"\\\\\"");
        assert_eq!(parse(&value.encode()), Ok(value));
    }

    #[test]
    fn decimals_read_as_the_standard_parser_reads_them() {
        for text in [
            "0",
            "-0",
            "12",
            "0.2",
            "0.1",
            "89.50",
            "24.95",
            "1.25e3",
            "2E-3",
            ".5",
            "+1",
            "5.",
            "0.000001",
            "123456789.123456",
            "1e22",
            "9007199254740993",
            "3.14159265358979",
            "600000",
            "1e-7",
            "12345678901234567890123",
            "0.30000000000000004",
        ] {
            let ours = parse_decimal(text).expect(text);
            let std: f64 = text.parse().expect(text);
            let close = (ours - std).abs() <= std.abs() * 4.0 * f64::EPSILON;
            assert!(close, "{text}: {ours} vs {std}");
        }
        // Exact wherever the digits fit in 2^53 and the power of ten is small.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let digits = seed % 1_000_000_000_000_000;
            let scale = 10u64.pow(((seed >> 50) % 16) as u32);
            let text =
                format!("{}.{}", digits / scale, digits % scale + scale).replacen(".1", ".", 1);
            assert_eq!(parse_decimal(&text), text.parse().ok(), "{text} is exact");
        }
        for text in ["0e400", "-0e999", "0.000"] {
            assert_eq!(parse_decimal(text), text.parse().ok(), "{text}");
        }
        for text in ["0.1", "0.2", "89.5", "24.95", "1.25e3", "0.7", "1.5"] {
            assert_eq!(parse_decimal(text), text.parse().ok(), "{text} is exact");
        }
        for text in [
            "", "-", ".", "e5", "1e", "1e+", "1.2.3", "1 ", " 1", "0x10", "inf", "NaN", "1e400",
            "--1",
        ] {
            assert_eq!(parse_decimal(text), None, "{text}");
        }
        assert_eq!(parse_decimal("1e-400"), Some(0.0));
    }

    #[test]
    fn sequences_and_numbers() {
        let values = parse_sequence(r#"{"a":1} {"b":2}"#).expect("two");
        assert_eq!(values.len(), 2);
        assert_eq!(Number::from_thousandths(700).as_str(), "0.7");
        assert_eq!(Number::from_thousandths(1250).as_str(), "1.25");
        assert_eq!(Number::from_thousandths(2000).as_str(), "2");
        assert_eq!(Number::from_thousandths(5).as_str(), "0.005");
        assert_eq!(
            Number::parse("12.50").map(|n| n.to_string()),
            Some("12.50".into())
        );
        assert_eq!(Number::parse("12.50x"), None);
    }
}
