//! The widget's configuration: merged from its sources, validated once, passed explicitly.
//!
//! Sources, later ones winning: `data-*` attributes on the embedding script, the
//! `window.SupportWidgetConfig` object, and (on the demo page only) the URL query. Each is read
//! into a [`RawConfig`] ([`raw`]), and the merged one is validated here into a
//! [`WidgetConfig`]. Attribute and query values arrive as strings and are read as numbers or
//! booleans where the key needs one.

mod raw;

pub use raw::{key_from_attribute, unknown_keys, ConfigValue, RawConfig};

use crate::settings::{Settings, DEFAULT_MODEL, DEFAULT_SYSTEM_PROMPT};

/// The default OpenAI-compatible base URL.
pub const DEFAULT_ENDPOINT: &str = "https://api.oxlo.ai/v1";

/// Added to the system prompt when lookups need the customer's email.
pub const EMAIL_RULE: &str = "\n- To look an order up you also need the email address it was placed with; ask for it if you do not have it.";

/// Where order lookups go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderSource {
    /// The bundled dataset, in the browser.
    Bundled,
    /// `GET {base}/orders/{order_id}` on the store's backend.
    Remote(String),
}

/// Where a hand-off to a person goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handoff {
    /// `POST {base}/handoffs` on the store's support proxy (the default with a backend).
    Remote(String),
    /// A `handoff` page event only, for a store whose helpdesk widget takes over (`"event"`).
    Event,
    /// The demo without a backend: the ticket is kept in this browser (and the event sent).
    Demo,
}

/// A validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct WidgetConfig {
    pub settings: Settings,
    /// Base URL; requests go to `{endpoint}/chat/completions`.
    pub endpoint: String,
    /// For development against a provider directly; production goes through the proxy.
    pub api_key: Option<String>,
    pub orders: OrderSource,
    /// The store's backend checks the customer's email with each lookup.
    pub require_email: bool,
    /// The launcher sits in the bottom-left corner instead of the bottom-right.
    pub position_left: bool,
    /// The panel's title; the language's own when `None`.
    pub title: Option<String>,
    /// The first bubble; the language's own when `None`.
    pub greeting: Option<String>,
    /// Questions offered as chips on an empty conversation; the language's own when `None`,
    /// none for an empty list.
    pub starters: Option<Vec<String>>,
    /// A line under the composer, such as "Answers may be wrong; check the order page".
    pub disclaimer: Option<String>,
    /// A language tag such as `de` or `ar-EG`; the browser's language when `None`.
    pub locale: Option<String>,
    pub storage_key: String,
    pub history_ttl_days: u32,
    pub max_stored_messages: usize,
    pub first_byte_timeout_ms: u32,
    pub idle_timeout_ms: u32,
    pub order_timeout_ms: u32,
    pub handoff: Handoff,
    /// The customer's email, when the store's page knows it (a signed-in customer): the
    /// hand-off form starts with it.
    pub customer_email: Option<String>,
}

/// The first problem found in a configuration, naming the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid support widget configuration: `{key}` {problem}")]
pub struct ConfigError {
    pub key: String,
    pub problem: String,
}

impl WidgetConfig {
    /// Validates merged sources.
    pub fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        let require_email = flag("requireEmail", &raw.require_email)?.unwrap_or(false);
        let orders = order_source(raw)?;
        Ok(Self {
            settings: settings(raw, require_email)?,
            endpoint: match text("endpoint", &raw.endpoint, 500)? {
                Some(url) => http_url("endpoint", &url)?,
                None => DEFAULT_ENDPOINT.to_owned(),
            },
            api_key: api_key(raw)?,
            handoff: handoff(raw, &orders)?,
            orders,
            require_email,
            position_left: position_left(raw)?,
            title: text("title", &raw.title, 80)?,
            greeting: text("greeting", &raw.greeting, 500)?,
            starters: starters(&raw.starters)?,
            disclaimer: text("disclaimer", &raw.disclaimer, 300)?,
            locale: text("locale", &raw.locale, 35)?,
            storage_key: storage_key(raw)?,
            history_ttl_days: whole("historyTtlDays", &raw.history_ttl_days, 1, 3650)?
                .unwrap_or(30),
            max_stored_messages: whole("maxStoredMessages", &raw.max_stored_messages, 10, 5000)?
                .map_or(200, |n| n as usize),
            first_byte_timeout_ms: timeout("firstByteTimeoutMs", &raw.first_byte_timeout_ms)?,
            idle_timeout_ms: timeout("idleTimeoutMs", &raw.idle_timeout_ms)?,
            order_timeout_ms: 10_000,
            customer_email: customer_email(raw)?,
        })
    }

    /// `{endpoint}/chat/completions`.
    pub fn chat_url(&self) -> String {
        format!("{}/chat/completions", self.endpoint)
    }

    /// The support proxy's base URL when the widget talks to one (`orders` is a base URL, not
    /// `bundled`): order lookups, help searches and ratings all go there. `None` in bundled
    /// mode, where the widget uses the demo's files.
    pub fn proxy_base(&self) -> Option<&str> {
        match &self.orders {
            OrderSource::Bundled => None,
            OrderSource::Remote(base) => Some(base),
        }
    }
}

/// `position`: `right` (the default) or `left`.
fn position_left(raw: &RawConfig) -> Result<bool, ConfigError> {
    match text("position", &raw.position, 10)?.as_deref() {
        None | Some("right") => Ok(false),
        Some("left") => Ok(true),
        Some(_) => Err(problem("position", "must be left or right")),
    }
}

/// `orders`: `bundled` (the default) or the support proxy's base URL.
fn order_source(raw: &RawConfig) -> Result<OrderSource, ConfigError> {
    match text("orders", &raw.orders, 500)?.as_deref() {
        None | Some("bundled") => Ok(OrderSource::Bundled),
        Some(url) => Ok(OrderSource::Remote(http_url("orders", url)?)),
    }
}

/// `handoff`: `auto` (the proxy where there is one, else the demo's own tickets) or `event`.
fn handoff(raw: &RawConfig, orders: &OrderSource) -> Result<Handoff, ConfigError> {
    match text("handoff", &raw.handoff, 10)?.as_deref() {
        None | Some("auto") => Ok(match orders {
            OrderSource::Remote(base) => Handoff::Remote(base.clone()),
            OrderSource::Bundled => Handoff::Demo,
        }),
        Some("event") => Ok(Handoff::Event),
        Some(_) => Err(problem("handoff", "must be auto or event")),
    }
}

/// `customerEmail`, normalised as a typed one would be.
fn customer_email(raw: &RawConfig) -> Result<Option<String>, ConfigError> {
    text("customerEmail", &raw.customer_email, 254)?
        .map(|email| {
            crate::tools::normalize_email(&email)
                .map_err(|_| problem("customerEmail", "is not an email address"))
        })
        .transpose()
}

/// A whole number setting between `min` and `max`.
fn whole(
    key: &str,
    value: &Option<ConfigValue>,
    min: u32,
    max: u32,
) -> Result<Option<u32>, ConfigError> {
    Ok(number(key, value, f64::from(min), f64::from(max))?.map(|n| n as u32))
}

/// A time-out in milliseconds: one second to ten minutes, thirty seconds unless set.
fn timeout(key: &str, value: &Option<ConfigValue>) -> Result<u32, ConfigError> {
    Ok(whole(key, value, 1000, 600_000)?.unwrap_or(30_000))
}

/// The conversation's settings; the email rule joins the prompt when lookups need it.
fn settings(raw: &RawConfig, require_email: bool) -> Result<Settings, ConfigError> {
    let mut settings = Settings {
        model: text("model", &raw.model, 100)?.unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
        system_prompt: text("systemPrompt", &raw.system_prompt, 8_000)?
            .unwrap_or_else(|| DEFAULT_SYSTEM_PROMPT.to_owned()),
        max_tokens: number("maxTokens", &raw.max_tokens, 1.0, 32_768.0)?.map_or(512, |n| n as u32),
        temperature: number("temperature", &raw.temperature, 0.0, 2.0)?,
        stream: flag("stream", &raw.stream)?.unwrap_or(true),
        return_window_days: number("returnWindowDays", &raw.return_window_days, 0.0, 3650.0)?
            .map_or(crate::orders::change::DEFAULT_RETURN_WINDOW_DAYS, |n| {
                n as u32
            }),
        ..Settings::default()
    };
    if require_email {
        settings.system_prompt.push_str(EMAIL_RULE);
    }
    Ok(settings)
}

/// It goes into an Authorization header: anything but visible ASCII would be refused.
fn api_key(raw: &RawConfig) -> Result<Option<String>, ConfigError> {
    let api_key = text("apiKey", &raw.api_key, 500)?;
    if api_key
        .as_ref()
        .is_some_and(|k| !k.chars().all(|c| c.is_ascii_graphic()))
    {
        return Err(problem("apiKey", "may only hold visible ASCII characters"));
    }
    Ok(api_key)
}

fn storage_key(raw: &RawConfig) -> Result<String, ConfigError> {
    let storage_key =
        text("storageKey", &raw.storage_key, 64)?.unwrap_or_else(|| "support-widget".into());
    if !storage_key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(problem(
            "storageKey",
            "may only hold letters, digits, '.', '_' and '-'",
        ));
    }
    Ok(storage_key)
}

/// The most starter questions shown, and the longest one, in characters.
pub const MAX_STARTERS: usize = 6;
const MAX_STARTER_CHARS: usize = 100;

/// A list of questions, or one string of them separated by `|` (a `data-starters`
/// attribute). Blank questions are refused; absent or `""` is `None`, `[]` is no questions.
fn starters(value: &Option<ConfigValue>) -> Result<Option<Vec<String>>, ConfigError> {
    let items: Vec<String> = match value {
        None => return Ok(None),
        Some(ConfigValue::Text(s)) if s.trim().is_empty() => return Ok(None),
        Some(ConfigValue::Text(s)) => s.split('|').map(str::to_owned).collect(),
        Some(ConfigValue::List(items)) => items.clone(),
        Some(_) => return Err(problem("starters", "must be a list of questions")),
    };
    if items.len() > MAX_STARTERS {
        return Err(problem(
            "starters",
            &format!("may hold at most {MAX_STARTERS} questions"),
        ));
    }
    items
        .into_iter()
        .map(|item| match item.trim() {
            "" => Err(problem("starters", "may not hold a blank question")),
            q if q.chars().count() > MAX_STARTER_CHARS => Err(problem(
                "starters",
                &format!("questions may be at most {MAX_STARTER_CHARS} characters long"),
            )),
            q => Ok(q.to_owned()),
        })
        .collect::<Result<_, _>>()
        .map(Some)
}

fn problem(key: &str, problem: &str) -> ConfigError {
    ConfigError {
        key: key.to_owned(),
        problem: problem.to_owned(),
    }
}

/// An absolute `http(s)` URL or a same-origin path such as `/v1`, without a trailing slash.
fn http_url(key: &str, url: &str) -> Result<String, ConfigError> {
    let is_path = url.starts_with('/') && !url.starts_with("//");
    if is_path && url.chars().all(|c| c.is_ascii_graphic()) && !url.contains('\\') {
        return Ok(url.trim_end_matches('/').to_owned());
    }
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(|| problem(key, &format!("must be an http(s) URL, not {url:?}")))?;
    if rest.is_empty() || rest.starts_with('/') || url.chars().any(|c| c.is_whitespace()) {
        return Err(problem(key, &format!("is not a valid URL: {url:?}")));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// A non-empty string (surrounding blanks trimmed); absent or `""` is `None`.
fn text(key: &str, value: &Option<ConfigValue>, max: usize) -> Result<Option<String>, ConfigError> {
    match value {
        None => Ok(None),
        Some(ConfigValue::Text(s)) if s.trim().is_empty() => Ok(None),
        Some(ConfigValue::Text(s)) if s.chars().count() > max => {
            Err(problem(key, &format!("is longer than {max} characters")))
        }
        Some(ConfigValue::Text(s)) => Ok(Some(s.trim().to_owned())),
        Some(other) => Err(problem(key, &format!("must be a string, not {other}"))),
    }
}

/// A number from `min` to `max`, or a string that reads as one.
fn number(
    key: &str,
    value: &Option<ConfigValue>,
    min: f64,
    max: f64,
) -> Result<Option<f64>, ConfigError> {
    let n = match value {
        None => return Ok(None),
        Some(ConfigValue::Text(s)) if s.trim().is_empty() => return Ok(None),
        Some(ConfigValue::Number(n)) => Some(*n),
        Some(ConfigValue::Text(s)) => s.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    match n {
        Some(n) if n.is_finite() && (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(problem(
            key,
            &format!("must be a number from {min} to {max}"),
        )),
    }
}

/// A boolean, or a string that reads as one (`true`, `1`, `yes`, `on` and their opposites).
fn flag(key: &str, value: &Option<ConfigValue>) -> Result<Option<bool>, ConfigError> {
    match value {
        None => Ok(None),
        Some(ConfigValue::Flag(b)) => Ok(Some(*b)),
        Some(ConfigValue::Text(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "" => Ok(None),
            "true" | "1" | "yes" | "on" => Ok(Some(true)),
            "false" | "0" | "no" | "off" => Ok(Some(false)),
            _ => Err(problem(key, "must be true or false")),
        },
        Some(_) => Err(problem(key, "must be true or false")),
    }
}

#[cfg(test)]
mod tests;
