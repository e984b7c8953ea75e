//! Python's `json.dumps` output, as Quay writes it. flask-restful bodies use `", "` and `": "`
//! separators with keys in declaration order; Flask's `jsonify` bodies are compact with keys
//! sorted. Both escape non-ASCII characters as `\uXXXX` and end with a newline. Also Python's
//! truthiness and `repr` of JSON values, which Quay's messages and flags follow.

use std::io;

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter};

/// A formatter writing Python's `json.dumps` output.
struct PythonFormatter {
    spaced: bool,
}

impl Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        match (first, self.spaced) {
            (true, _) => Ok(()),
            (false, true) => w.write_all(b", "),
            (false, false) => w.write_all(b","),
        }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.begin_array_value(w, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(if self.spaced { b": " } else { b":" })
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if fragment.is_ascii() {
            return w.write_all(fragment.as_bytes());
        }
        let mut units = [0u16; 2];
        for c in fragment.chars() {
            if c.is_ascii() {
                w.write_all(&[c as u8])?;
            } else {
                for unit in c.encode_utf16(&mut units) {
                    write!(w, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        let text: &[u8] = match escape {
            CharEscape::Quote => b"\\\"",
            CharEscape::ReverseSolidus => b"\\\\",
            CharEscape::Solidus => b"\\/",
            CharEscape::Backspace => b"\\b",
            CharEscape::FormFeed => b"\\f",
            CharEscape::LineFeed => b"\\n",
            CharEscape::CarriageReturn => b"\\r",
            CharEscape::Tab => b"\\t",
            CharEscape::AsciiControl(byte) => return write!(w, "\\u{byte:04x}"),
        };
        w.write_all(text)
    }
}

fn to_bytes<T: Serialize + ?Sized>(value: &T, spaced: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonFormatter { spaced });
    // Serializing plain data structs into memory cannot fail.
    value.serialize(&mut ser).expect("serializable view");
    out.push(b'\n');
    out
}

/// flask-restful style: `{"a": 1, "b": 2}\n`, fields in declaration order.
pub fn restful_bytes<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    to_bytes(value, true)
}

/// `jsonify` style: `{"a":1,"b":2}\n`, keys sorted alphabetically at every level.
pub fn jsonify_bytes<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut sorted = serde_json::to_value(value).expect("serializable view");
    sort_keys(&mut sorted);
    to_bytes(&sorted, false)
}

fn sort_keys(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.sort_keys();
            map.values_mut().for_each(sort_keys);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(sort_keys),
        _ => {}
    }
}

/// Python's truthiness of a JSON value, for Quay's untyped flags.
pub fn python_truthy(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Python's `repr` of a JSON value, as jsonschema prints instances in its messages.
pub fn python_repr(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        Value::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(python_repr).collect::<Vec<_>>().join(", ")
            )
        }
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("'{k}': {}", python_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Serialize)]
    struct View {
        username: &'static str,
        email: Option<&'static str>,
    }

    #[test]
    fn restful_keeps_order_and_spaces() {
        let body = restful_bytes(&View {
            username: "zé",
            email: None,
        });
        assert_eq!(body, b"{\"username\": \"z\\u00e9\", \"email\": null}\n");
    }

    #[test]
    fn jsonify_sorts_and_compacts() {
        let body = jsonify_bytes(&View {
            username: "a",
            email: Some("b"),
        });
        assert_eq!(body, b"{\"email\":\"b\",\"username\":\"a\"}\n");
    }

    #[test]
    fn repr_like_python() {
        assert_eq!(
            python_repr(&json!({"email": "x", "n": null, "t": true})),
            "{'email': 'x', 'n': None, 't': True}"
        );
    }
}
