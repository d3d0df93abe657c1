//! Wire types the generator maps spec formats onto.
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type,
};
use serde_json::Value;
use std::borrow::Cow;

/// `format: date-time`. Serialised as upstream does (`2026-01-31T12:00:00Z`, second precision);
/// parsed from any ISO-8601 form, where a value without an offset means UTC. Every value is an
/// aware UTC instant, so no comparison can ever mix naive and aware datetimes (review MEDIUM).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcDateTime(pub DateTime<Utc>);

impl UtcDateTime {
    pub fn from_naive_utc(n: NaiveDateTime) -> Self {
        Self(n.and_utc())
    }

    pub fn naive_utc(&self) -> NaiveDateTime {
        self.0.naive_utc()
    }

    pub fn now() -> Self {
        Self(Utc::now())
    }

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
            return Some(Self(dt.with_timezone(&Utc)));
        }
        for fmt in [
            "%Y-%m-%dT%H:%M:%S%.f",
            "%Y-%m-%d %H:%M:%S%.f",
            "%Y-%m-%dT%H:%M",
        ] {
            if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
                return Some(Self::from_naive_utc(n));
            }
        }
        if let Ok(dt) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z") {
            return Some(Self(dt.with_timezone(&Utc)));
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(Self::from_naive_utc)
    }

    pub fn to_wire(&self) -> String {
        self.0.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
}

impl Type for UtcDateTime {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_date-time".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "date-time")))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(std::iter::once(self))
    }
}

impl ParseFromParameter for UtcDateTime {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Self::parse(value).ok_or_else(|| ParseError::custom("expected an ISO-8601 date-time"))
    }
}

impl ParseFromJSON for UtcDateTime {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(s) => Self::parse_from_parameter(&s),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl ToJSON for UtcDateTime {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.to_wire()))
    }
}

#[cfg(test)]
mod tests {
    use super::UtcDateTime;

    #[test]
    fn parses_every_iso_form_as_utc() {
        let cases = [
            ("2026-01-31T12:00:00Z", "2026-01-31T12:00:00Z"),
            ("2026-01-31T12:00:00", "2026-01-31T12:00:00Z"),
            ("2026-01-31T14:00:00+02:00", "2026-01-31T12:00:00Z"),
            ("2026-01-31T12:00:00.123456", "2026-01-31T12:00:00Z"),
            ("2026-01-31 12:00:00", "2026-01-31T12:00:00Z"),
            ("2026-01-31", "2026-01-31T00:00:00Z"),
        ];
        for (input, wire) in cases {
            let parsed =
                UtcDateTime::parse(input).unwrap_or_else(|| panic!("{input} should parse"));
            assert_eq!(parsed.to_wire(), wire, "{input}");
        }
    }

    #[test]
    fn naive_and_aware_inputs_compare_without_error() {
        // review MEDIUM: upstream compared naive with aware datetimes and raised a TypeError (500).
        let naive = UtcDateTime::parse("2026-01-31T12:00:00").unwrap();
        let aware = UtcDateTime::parse("2026-01-31T13:00:00+02:00").unwrap();
        assert!(aware < naive);
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "yesterday", "2026-13-01", "2026-01-31T25:00:00Z"] {
            assert!(UtcDateTime::parse(bad).is_none(), "{bad}");
        }
    }
}
