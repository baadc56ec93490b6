//! `deserialize_with` helpers for fields that "compatible" providers fill in their own way.
//!
//! Each helper reads what the field should hold and turns anything else into `None` (or an
//! empty list) instead of an error, so one odd field never fails a turn. They read straight
//! from the deserializer, without building a `serde_json::Value` first (only arguments sent as
//! an object become one, to be written back as text): one [`Lenient`] visitor dispatches each
//! kind of JSON value to a [`Read`] implementation that says what that kind means for the
//! field; lists and objects a reader does not want are skipped.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Number, Value};

use super::response::ContentPart;
use super::ApiError;

/// What one lenient field makes of each kind of JSON value; every kind it does not read is
/// `Out::default()` (`None`, or an empty list).
pub trait Read<'de> {
    type Out: Default;

    fn text(_text: &str) -> Self::Out {
        Self::Out::default()
    }
    fn number(_number: Number) -> Self::Out {
        Self::Out::default()
    }
    fn boolean(_value: bool) -> Self::Out {
        Self::Out::default()
    }
    fn list<A: SeqAccess<'de>>(mut seq: A) -> Result<Self::Out, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Self::Out::default())
    }
    fn object<A: MapAccess<'de>>(mut map: A) -> Result<Self::Out, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Self::Out::default())
    }
}

/// Reads any JSON value through `R`.
pub struct Lenient<R>(PhantomData<R>);

impl<R> Lenient<R> {
    pub fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<R::Out, D::Error>
    where
        R: Read<'de>,
    {
        deserializer.deserialize_any(Lenient::<R>(PhantomData))
    }
}

impl<'de, R: Read<'de>> Visitor<'de> for Lenient<R> {
    type Value = R::Out;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E>(self, v: &str) -> Result<R::Out, E> {
        Ok(R::text(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<R::Out, E> {
        Ok(R::number(v.into()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<R::Out, E> {
        Ok(R::number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<R::Out, E> {
        Ok(Number::from_f64(v).map(R::number).unwrap_or_default())
    }
    fn visit_bool<E>(self, v: bool) -> Result<R::Out, E> {
        Ok(R::boolean(v))
    }
    fn visit_unit<E>(self) -> Result<R::Out, E> {
        Ok(R::Out::default())
    }
    fn visit_none<E>(self) -> Result<R::Out, E> {
        Ok(R::Out::default())
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<R::Out, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<R::Out, A::Error> {
        R::list(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<R::Out, A::Error> {
        R::object(map)
    }
}

/// A string; anything else is `None`.
pub fn string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    struct Text;
    impl Read<'_> for Text {
        type Out = Option<String>;
        fn text(text: &str) -> Self::Out {
            Some(text.to_owned())
        }
    }
    Lenient::<Text>::read(deserializer)
}

/// A whole number that fits a `u32`; a negative or fractional number, or any other value, is
/// `None`.
pub fn index<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    struct Index;
    impl Read<'_> for Index {
        type Out = Option<u32>;
        fn number(number: Number) -> Self::Out {
            number.as_u64().and_then(|n| u32::try_from(n).ok())
        }
    }
    Lenient::<Index>::read(deserializer)
}

/// Message text: a string, or a list of parts whose `text`s are joined
/// (`[{"type": "text", "text": "..."}]`); parts of other types are left out.
pub fn content<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    struct Content;
    impl<'de> Read<'de> for Content {
        type Out = Option<String>;
        fn text(text: &str) -> Self::Out {
            Some(text.to_owned())
        }
        fn list<A: SeqAccess<'de>>(mut seq: A) -> Result<Self::Out, A::Error> {
            let mut joined: Option<String> = None;
            while let Some(MaybeObject(part)) = seq.next_element::<MaybeObject<ContentPart>>()? {
                if let Some(text) = part.and_then(ContentPart::into_text) {
                    joined.get_or_insert_with(String::new).push_str(&text);
                }
            }
            Ok(joined)
        }
    }
    Lenient::<Content>::read(deserializer)
}

/// Tool-call arguments: the string they should be; any other value but `null` (an object, as
/// some servers send) becomes its compact JSON text.
pub fn arguments<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    struct Arguments;
    impl<'de> Read<'de> for Arguments {
        type Out = Option<String>;
        fn text(text: &str) -> Self::Out {
            Some(text.to_owned())
        }
        fn number(number: Number) -> Self::Out {
            Some(number.to_string())
        }
        fn boolean(value: bool) -> Self::Out {
            Some(value.to_string())
        }
        fn list<A: SeqAccess<'de>>(seq: A) -> Result<Self::Out, A::Error> {
            let value = Value::deserialize(SeqAccessDeserializer::new(seq))?;
            Ok(Some(value.to_string()))
        }
        fn object<A: MapAccess<'de>>(map: A) -> Result<Self::Out, A::Error> {
            let value = Value::deserialize(MapAccessDeserializer::new(map))?;
            Ok(Some(value.to_string()))
        }
    }
    Lenient::<Arguments>::read(deserializer)
}

/// An error code: a string, or a number written as text.
pub fn code<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    struct Code;
    impl Read<'_> for Code {
        type Out = Option<String>;
        fn text(text: &str) -> Self::Out {
            Some(text.to_owned())
        }
        fn number(number: Number) -> Self::Out {
            Some(number.to_string())
        }
    }
    Lenient::<Code>::read(deserializer)
}

/// The `error` of a body or chunk: an object, a bare message string, a bare code number, or
/// `true`. `null`, `false`, `""` and lists mean no error.
pub fn error<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<ApiError>, D::Error> {
    struct Error;
    impl<'de> Read<'de> for Error {
        type Out = Option<ApiError>;
        fn text(text: &str) -> Self::Out {
            (!text.is_empty()).then(|| ApiError {
                message: Some(text.to_owned()),
                ..ApiError::default()
            })
        }
        fn number(number: Number) -> Self::Out {
            Some(ApiError {
                code: Some(number.to_string()),
                ..ApiError::default()
            })
        }
        fn boolean(value: bool) -> Self::Out {
            value.then(ApiError::default)
        }
        fn object<A: MapAccess<'de>>(map: A) -> Result<Self::Out, A::Error> {
            ApiError::deserialize(MapAccessDeserializer::new(map)).map(Some)
        }
    }
    Lenient::<Error>::read(deserializer)
}

/// A `T` read from an object; any other value is `None`.
pub struct MaybeObject<T>(pub Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for MaybeObject<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Object<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Read<'de> for Object<T> {
            type Out = Option<T>;
            fn object<A: MapAccess<'de>>(map: A) -> Result<Self::Out, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(Some)
            }
        }
        Lenient::<Object<T>>::read(deserializer).map(MaybeObject)
    }
}

/// An object field: read when it is an object, `None` otherwise.
pub fn object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(MaybeObject::<T>::deserialize(deserializer)?.0)
}

/// An object field that has a default: read when it is an object, the default otherwise.
pub fn object_or_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(object(deserializer)?.unwrap_or_default())
}

/// A list of objects: entries that are not objects (`null` among them) are skipped, and a
/// field that is not a list at all is an empty list.
pub fn objects<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Objects<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Read<'de> for Objects<T> {
        type Out = Vec<T>;
        fn list<A: SeqAccess<'de>>(mut seq: A) -> Result<Self::Out, A::Error> {
            let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
            while let Some(MaybeObject(item)) = seq.next_element::<MaybeObject<T>>()? {
                items.extend(item);
            }
            Ok(items)
        }
    }
    Lenient::<Objects<T>>::read(deserializer)
}

/// A list that may be `null` (empty); its entries are read strictly.
pub fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}
