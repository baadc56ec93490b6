//! Whether a customer's reply address is plausible: what a browser's `<input type=email>`
//! accepts (the WHATWG "valid email address"), within SMTP's lengths, with a dot in the
//! domain (an address a help desk can answer, not `root@localhost`).
//!
//! WHATWG HTML §4.10.5.1.5: `1*( atext / "." ) "@" label *( "." label )`, where `atext` is
//! RFC 5322's and a label is 1–63 letters, digits and hyphens, neither starting nor ending
//! with a hyphen.

/// The longest address (RFC 5321's path limit less the angle brackets).
pub const MAX_CHARS: usize = 254;
/// The longest local part (RFC 5321 §4.5.3.1.1).
const MAX_LOCAL_CHARS: usize = 64;

pub fn is_plausible(address: &str) -> bool {
    if address.len() > MAX_CHARS {
        return false;
    }
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= MAX_LOCAL_CHARS
        && local.chars().all(|c| c == '.' || is_atext(c));
    local_ok && domain.contains('.') && domain.split('.').all(is_label)
}

fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c)
}

fn is_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_addresses() {
        for good in [
            "jordan.diaz@example.com",
            "a+tag@shop.example",
            "o'brien@mail.co.uk",
            "x@a-b.io",
        ] {
            assert!(is_plausible(good), "{good}");
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        let long = format!("a@{}.com", "b.".repeat(130));
        for bad in [
            "",
            "jordan",
            "@example.com",
            "jordan@",
            "jordan@localhost",
            "jordan@@example.com",
            "jordan diaz@example.com",
            "jordan@exa mple.com",
            "jordan@-example.com",
            "jordan@example..com",
            "jordan@example.com.",
            "<script>@example.com",
            "jördan@example.com",
            "jordan@example.com\n",
            long_local.as_str(),
            long.as_str(),
        ] {
            assert!(!is_plausible(bad), "{bad:?}");
        }
    }
}
